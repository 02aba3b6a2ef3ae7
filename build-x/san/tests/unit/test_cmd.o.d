build-x/san/tests/unit/test_cmd.o: tests/unit/test_cmd.c agent/cmd.h \
 tests/unit/../harness.h
agent/cmd.h:
tests/unit/../harness.h:
