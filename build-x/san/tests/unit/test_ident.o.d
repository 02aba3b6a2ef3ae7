build-x/san/tests/unit/test_ident.o: tests/unit/test_ident.c \
 agent/ident.h tests/unit/../harness.h
agent/ident.h:
tests/unit/../harness.h:
