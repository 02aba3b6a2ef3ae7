build-x/san/tests/integration/kstate_tool.o: \
 tests/integration/kstate_tool.c agent/ctcommit.h include/nsrpd.h \
 agent/log.h agent/neigh.h agent/sesstab.h
agent/ctcommit.h:
include/nsrpd.h:
agent/log.h:
agent/neigh.h:
agent/sesstab.h:
