build-x/san/agent/netlink.o: agent/netlink.c agent/netlink.h
agent/netlink.h:
