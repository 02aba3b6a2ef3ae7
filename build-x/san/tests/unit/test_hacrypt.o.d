build-x/san/tests/unit/test_hacrypt.o: tests/unit/test_hacrypt.c \
 agent/hacrypt.h agent/election.h agent/proto.h include/nsrpd.h \
 tests/unit/../harness.h
agent/hacrypt.h:
agent/election.h:
agent/proto.h:
include/nsrpd.h:
tests/unit/../harness.h:
