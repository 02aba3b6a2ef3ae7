build-x/san/agent/cmd.o: agent/cmd.c agent/cmd.h
agent/cmd.h:
