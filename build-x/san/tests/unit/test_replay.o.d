build-x/san/tests/unit/test_replay.o: tests/unit/test_replay.c \
 agent/replay.h tests/unit/../harness.h
agent/replay.h:
tests/unit/../harness.h:
