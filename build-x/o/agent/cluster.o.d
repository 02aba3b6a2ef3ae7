build-x/o/agent/cluster.o: agent/cluster.c agent/cluster.h agent/config.h \
 include/nsrpd.h agent/election.h agent/hasess.h agent/clock.h \
 agent/hacrypt.h agent/halink.h agent/proto.h agent/replay.h agent/log.h
agent/cluster.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/hasess.h:
agent/clock.h:
agent/hacrypt.h:
agent/halink.h:
agent/proto.h:
agent/replay.h:
agent/log.h:
