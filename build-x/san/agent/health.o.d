build-x/san/agent/health.o: agent/health.c agent/health.h agent/config.h \
 include/nsrpd.h agent/election.h agent/linkwatch.h agent/monitor.h \
 agent/clock.h agent/probe.h agent/trackip.h agent/log.h agent/netlink.h
agent/health.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/linkwatch.h:
agent/monitor.h:
agent/clock.h:
agent/probe.h:
agent/trackip.h:
agent/log.h:
agent/netlink.h:
