build-x/o/agent/replay.o: agent/replay.c agent/replay.h
agent/replay.h:
