build-x/o/tools/nsrpctl.o: tools/nsrpctl.c agent/ctl.h agent/version.h
agent/ctl.h:
agent/version.h:
