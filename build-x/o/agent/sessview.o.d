build-x/o/agent/sessview.o: agent/sessview.c agent/ctl.h agent/sessview.h \
 agent/sesstab.h include/nsrpd.h
agent/ctl.h:
agent/sessview.h:
agent/sesstab.h:
include/nsrpd.h:
