build-x/o/agent/command.o: agent/command.c agent/clock.h agent/command.h \
 agent/cmd.h agent/ctl.h agent/status.h agent/cfgsync.h agent/config.h \
 include/nsrpd.h agent/election.h agent/hasess.h agent/hacrypt.h \
 agent/halink.h agent/proto.h agent/replay.h agent/cluster.h \
 agent/cthandoff.h agent/dataplane.h agent/sesstab.h agent/health.h \
 agent/linkwatch.h agent/monitor.h agent/probe.h agent/trackip.h \
 agent/notify.h agent/sweep.h agent/sync.h agent/neigh.h agent/rtosync.h \
 agent/log.h agent/sessview.h
agent/clock.h:
agent/command.h:
agent/cmd.h:
agent/ctl.h:
agent/status.h:
agent/cfgsync.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
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
agent/log.h:
agent/sessview.h:
