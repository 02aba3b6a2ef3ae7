build-x/san/agent/probe.o: agent/probe.c agent/probe.h
agent/probe.h:
