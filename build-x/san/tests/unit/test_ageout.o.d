build-x/san/tests/unit/test_ageout.o: tests/unit/test_ageout.c \
 agent/ageout.h include/nsrpd.h agent/clock.h tests/unit/../harness.h
agent/ageout.h:
include/nsrpd.h:
agent/clock.h:
tests/unit/../harness.h:
