build-x/san/tests/bpf/pkt.o: tests/bpf/pkt.c tests/bpf/pkt.h
tests/bpf/pkt.h:
