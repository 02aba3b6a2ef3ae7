build-x/san/tests/bpf/test_xdp_pass.o: tests/bpf/test_xdp_pass.c \
 build-x/xdp_pass.skel.h tests/bpf/../harness.h tests/bpf/runner.h
build-x/xdp_pass.skel.h:
tests/bpf/../harness.h:
tests/bpf/runner.h:
