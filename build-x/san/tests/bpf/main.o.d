build-x/san/tests/bpf/main.o: tests/bpf/main.c \
 tests/bpf/../harness_main.h tests/bpf/../harness.h
tests/bpf/../harness_main.h:
tests/bpf/../harness.h:
