build-x/o/agent/neigh.o: agent/neigh.c agent/log.h agent/neigh.h \
 agent/netlink.h
agent/log.h:
agent/neigh.h:
agent/netlink.h:
