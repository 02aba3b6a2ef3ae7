build-x/san/tests/unit/test_config.o: tests/unit/test_config.c \
 agent/config.h include/nsrpd.h agent/election.h tests/unit/../harness.h
agent/config.h:
include/nsrpd.h:
agent/election.h:
tests/unit/../harness.h:
