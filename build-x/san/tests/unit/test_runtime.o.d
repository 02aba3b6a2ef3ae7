build-x/san/tests/unit/test_runtime.o: tests/unit/test_runtime.c \
 agent/config.h include/nsrpd.h agent/election.h tests/unit/../harness.h
agent/config.h:
include/nsrpd.h:
agent/election.h:
tests/unit/../harness.h:
