build-x/san/tests/bpf/test_sesstab.o: tests/bpf/test_sesstab.c \
 agent/ctl.h agent/dataplane.h include/nsrpd.h agent/sesstab.h \
 agent/sessview.h agent/sesstab.h tests/bpf/../harness.h \
 tests/bpf/runner.h
agent/ctl.h:
agent/dataplane.h:
include/nsrpd.h:
agent/sesstab.h:
agent/sessview.h:
agent/sesstab.h:
tests/bpf/../harness.h:
tests/bpf/runner.h:
