build-x/san/agent/linkwatch.o: agent/linkwatch.c agent/linkwatch.h \
 agent/log.h agent/netlink.h
agent/linkwatch.h:
agent/log.h:
agent/netlink.h:
