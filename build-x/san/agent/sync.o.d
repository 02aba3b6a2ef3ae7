build-x/san/agent/sync.o: agent/sync.c agent/ageout.h include/nsrpd.h \
 agent/clock.h agent/log.h agent/sync.h agent/config.h agent/election.h \
 agent/dataplane.h agent/hasess.h agent/hacrypt.h agent/halink.h \
 agent/proto.h agent/replay.h agent/neigh.h agent/rtosync.h \
 agent/sesstab.h
agent/ageout.h:
include/nsrpd.h:
agent/clock.h:
agent/log.h:
agent/sync.h:
agent/config.h:
agent/election.h:
agent/dataplane.h:
agent/hasess.h:
agent/hacrypt.h:
agent/halink.h:
agent/proto.h:
agent/replay.h:
agent/neigh.h:
agent/rtosync.h:
agent/sesstab.h:
