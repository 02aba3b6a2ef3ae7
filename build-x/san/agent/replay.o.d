build-x/san/agent/replay.o: agent/replay.c agent/replay.h
agent/replay.h:
