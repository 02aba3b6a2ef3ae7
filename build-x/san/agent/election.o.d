build-x/san/agent/election.o: agent/election.c agent/clock.h \
 agent/election.h
agent/clock.h:
agent/election.h:
