build-x/san/tests/unit/test_ctl.o: tests/unit/test_ctl.c agent/ctl.h \
 tests/unit/../harness.h
agent/ctl.h:
tests/unit/../harness.h:
