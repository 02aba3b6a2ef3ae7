build-x/san/tests/unit/test_halink.o: tests/unit/test_halink.c \
 agent/halink.h tests/unit/../harness.h
agent/halink.h:
tests/unit/../harness.h:
