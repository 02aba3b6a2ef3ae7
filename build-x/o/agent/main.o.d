build-x/o/agent/main.o: agent/main.c agent/daemon.h agent/cfgsync.h \
 agent/config.h include/nsrpd.h agent/election.h agent/ctl.h \
 agent/hasess.h agent/clock.h agent/hacrypt.h agent/halink.h \
 agent/proto.h agent/replay.h agent/cluster.h agent/command.h agent/cmd.h \
 agent/status.h agent/cthandoff.h agent/dataplane.h agent/sesstab.h \
 agent/health.h agent/linkwatch.h agent/monitor.h agent/probe.h \
 agent/trackip.h agent/notify.h agent/sweep.h agent/sync.h agent/neigh.h \
 agent/rtosync.h agent/vsi.h agent/log.h agent/version.h
agent/daemon.h:
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
agent/cluster.h:
agent/command.h:
agent/cmd.h:
agent/status.h:
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
agent/vsi.h:
agent/log.h:
agent/version.h:
