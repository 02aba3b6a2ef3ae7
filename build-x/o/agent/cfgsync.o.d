build-x/o/agent/cfgsync.o: agent/cfgsync.c agent/cfgsync.h agent/config.h \
 include/nsrpd.h agent/election.h agent/ctl.h agent/hasess.h \
 agent/clock.h agent/hacrypt.h agent/halink.h agent/proto.h \
 agent/replay.h agent/log.h agent/version.h
agent/cfgsync.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/ctl.h:
agent/hasess.h:
agent/clock.h:
agent/hacrypt.h:
agent/halink.h:
agent/proto.h:
agent/replay.h:
agent/log.h:
agent/version.h:
