build-x/san/tests/unit/test_election.o: tests/unit/test_election.c \
 agent/election.h tests/unit/../harness.h
agent/election.h:
tests/unit/../harness.h:
