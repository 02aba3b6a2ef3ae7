build-x/san/tests/unit/test_garp.o: tests/unit/test_garp.c agent/garp.h \
 tests/unit/../harness.h
agent/garp.h:
tests/unit/../harness.h:
