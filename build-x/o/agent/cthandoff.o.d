build-x/o/agent/cthandoff.o: agent/cthandoff.c agent/clock.h \
 agent/ctcommit.h include/nsrpd.h agent/cthandoff.h agent/dataplane.h \
 agent/sesstab.h agent/log.h
agent/clock.h:
agent/ctcommit.h:
include/nsrpd.h:
agent/cthandoff.h:
agent/dataplane.h:
agent/sesstab.h:
agent/log.h:
