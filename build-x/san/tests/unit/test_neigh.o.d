build-x/san/tests/unit/test_neigh.o: tests/unit/test_neigh.c \
 agent/neigh.h tests/unit/../harness.h
agent/neigh.h:
tests/unit/../harness.h:
