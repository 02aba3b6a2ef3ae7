build-x/bpf/nsrpd_xdp.bpf.o: bpf/nsrpd_xdp.bpf.c vmlinux.h bpf/session.h \
  bpf/consts.h bpf/maps.h include/nsrpd.h bpf/parse.h

vmlinux.h:

bpf/session.h:

bpf/consts.h:

bpf/maps.h:

include/nsrpd.h:

bpf/parse.h:
