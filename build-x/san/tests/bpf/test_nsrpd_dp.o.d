build-x/san/tests/bpf/test_nsrpd_dp.o: tests/bpf/test_nsrpd_dp.c \
 include/nsrpd.h agent/dataplane.h build-x/nsrpd_xdp.skel.h \
 build-x/nsrpd_tc.skel.h tests/bpf/../harness.h tests/bpf/pkt.h \
 tests/bpf/runner.h
include/nsrpd.h:
agent/dataplane.h:
build-x/nsrpd_xdp.skel.h:
build-x/nsrpd_tc.skel.h:
tests/bpf/../harness.h:
tests/bpf/pkt.h:
tests/bpf/runner.h:
