build-x/san/agent/status.o: agent/status.c agent/clock.h agent/ident.h \
 agent/netlink.h agent/status.h agent/cfgsync.h agent/config.h \
 include/nsrpd.h agent/election.h agent/ctl.h agent/hasess.h \
 agent/hacrypt.h agent/halink.h agent/proto.h agent/replay.h \
 agent/cluster.h agent/cthandoff.h agent/dataplane.h agent/sesstab.h \
 agent/health.h agent/linkwatch.h agent/monitor.h agent/probe.h \
 agent/trackip.h agent/notify.h agent/sweep.h agent/sync.h agent/neigh.h \
 agent/rtosync.h agent/version.h
agent/clock.h:
agent/ident.h:
agent/netlink.h:
agent/status.h:
agent/cfgsync.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/ctl.h:
agent/hasess.h:
agent/hacrypt.h:
agent/halink.h:
agent/proto.h:
agent/replay.h:
agent/cluster.h:
agent/cthandoff.h:
agent/dataplane.h:
agent/sesstab.h:
agent/health.h:
agent/linkwatch.h:
agent/monitor.h:
agent/probe.h:
agent/trackip.h:
agent/notify.h:
agent/sweep.h:
agent/sync.h:
agent/neigh.h:
agent/rtosync.h:
agent/version.h:
