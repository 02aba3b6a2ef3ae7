build-x/o/agent/cmd.o: agent/cmd.c agent/cmd.h
agent/cmd.h:
