build-x/san/tests/unit/test_cfgcanon.o: tests/unit/test_cfgcanon.c \
 agent/config.h include/nsrpd.h agent/election.h tests/unit/../harness.h
agent/config.h:
include/nsrpd.h:
agent/election.h:
tests/unit/../harness.h:
