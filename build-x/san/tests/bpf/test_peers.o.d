build-x/san/tests/bpf/test_peers.o: tests/bpf/test_peers.c \
 agent/cluster.h agent/config.h include/nsrpd.h agent/election.h \
 agent/hasess.h agent/clock.h agent/hacrypt.h agent/halink.h \
 agent/proto.h agent/replay.h agent/sync.h agent/dataplane.h \
 agent/neigh.h agent/rtosync.h agent/sesstab.h tests/bpf/../harness.h
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
agent/sync.h:
agent/dataplane.h:
agent/neigh.h:
agent/rtosync.h:
agent/sesstab.h:
tests/bpf/../harness.h:
