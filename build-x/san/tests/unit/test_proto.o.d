build-x/san/tests/unit/test_proto.o: tests/unit/test_proto.c \
 agent/election.h agent/proto.h include/nsrpd.h tests/unit/../harness.h
agent/election.h:
agent/proto.h:
include/nsrpd.h:
tests/unit/../harness.h:
