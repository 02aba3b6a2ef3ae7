build-x/o/agent/probe.o: agent/probe.c agent/probe.h
agent/probe.h:
