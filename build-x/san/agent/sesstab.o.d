build-x/san/agent/sesstab.o: agent/sesstab.c agent/ageout.h \
 include/nsrpd.h agent/log.h agent/sesstab.h
agent/ageout.h:
include/nsrpd.h:
agent/log.h:
agent/sesstab.h:
