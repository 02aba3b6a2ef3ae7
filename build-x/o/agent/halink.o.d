build-x/o/agent/halink.o: agent/halink.c agent/halink.h agent/log.h
agent/halink.h:
agent/log.h:
