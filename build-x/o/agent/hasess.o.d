build-x/o/agent/hasess.o: agent/hasess.c agent/hasess.h agent/clock.h \
 agent/hacrypt.h agent/halink.h agent/proto.h include/nsrpd.h \
 agent/replay.h agent/log.h
agent/hasess.h:
agent/clock.h:
agent/hacrypt.h:
agent/halink.h:
agent/proto.h:
include/nsrpd.h:
agent/replay.h:
agent/log.h:
