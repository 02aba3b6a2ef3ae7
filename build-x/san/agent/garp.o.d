build-x/san/agent/garp.o: agent/garp.c agent/garp.h
agent/garp.h:
