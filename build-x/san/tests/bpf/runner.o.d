build-x/san/tests/bpf/runner.o: tests/bpf/runner.c tests/bpf/../harness.h \
 tests/bpf/runner.h
tests/bpf/../harness.h:
tests/bpf/runner.h:
