build-x/o/agent/ctl.o: agent/ctl.c agent/ctl.h agent/log.h
agent/ctl.h:
agent/log.h:
