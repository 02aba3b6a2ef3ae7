build-x/bpf/xdp_pass.bpf.o: bpf/xdp_pass.bpf.c vmlinux.h

vmlinux.h:
