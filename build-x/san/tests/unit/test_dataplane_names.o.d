build-x/san/tests/unit/test_dataplane_names.o: \
 tests/unit/test_dataplane_names.c agent/dataplane.h include/nsrpd.h \
 tests/unit/../harness.h
agent/dataplane.h:
include/nsrpd.h:
tests/unit/../harness.h:
