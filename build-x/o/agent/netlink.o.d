build-x/o/agent/netlink.o: agent/netlink.c agent/netlink.h
agent/netlink.h:
