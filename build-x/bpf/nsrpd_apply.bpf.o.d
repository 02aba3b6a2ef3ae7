build-x/bpf/nsrpd_apply.bpf.o: bpf/nsrpd_apply.bpf.c vmlinux.h bpf/maps.h \
  include/nsrpd.h

vmlinux.h:

bpf/maps.h:

include/nsrpd.h:
