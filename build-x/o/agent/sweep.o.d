build-x/o/agent/sweep.o: agent/sweep.c agent/clock.h agent/log.h \
 agent/sweep.h agent/sesstab.h include/nsrpd.h
agent/clock.h:
agent/log.h:
agent/sweep.h:
agent/sesstab.h:
include/nsrpd.h:
