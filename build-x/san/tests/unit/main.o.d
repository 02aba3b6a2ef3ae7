build-x/san/tests/unit/main.o: tests/unit/main.c \
 tests/unit/../harness_main.h tests/unit/../harness.h
tests/unit/../harness_main.h:
tests/unit/../harness.h:
