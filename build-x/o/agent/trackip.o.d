build-x/o/agent/trackip.o: agent/trackip.c agent/trackip.h
agent/trackip.h:
