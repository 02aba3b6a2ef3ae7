build-x/san/tests/unit/test_rtosync.o: tests/unit/test_rtosync.c \
 agent/rtosync.h agent/proto.h include/nsrpd.h tests/unit/../harness.h
agent/rtosync.h:
agent/proto.h:
include/nsrpd.h:
tests/unit/../harness.h:
