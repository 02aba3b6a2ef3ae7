build-x/o/agent/dataplane.o: agent/dataplane.c agent/../bpf/consts.h \
 agent/dataplane.h include/nsrpd.h agent/log.h agent/sesstab.h \
 build-x/nsrpd_apply.skel.h build-x/nsrpd_tc.skel.h \
 build-x/nsrpd_xdp.skel.h
agent/../bpf/consts.h:
agent/dataplane.h:
include/nsrpd.h:
agent/log.h:
agent/sesstab.h:
build-x/nsrpd_apply.skel.h:
build-x/nsrpd_tc.skel.h:
build-x/nsrpd_xdp.skel.h:
