build-x/san/tests/unit/test_keywords.o: tests/unit/test_keywords.c \
 agent/config.h include/nsrpd.h agent/election.h tests/unit/../harness.h
agent/config.h:
include/nsrpd.h:
agent/election.h:
tests/unit/../harness.h:
