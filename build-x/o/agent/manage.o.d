build-x/o/agent/manage.o: agent/manage.c agent/log.h agent/manage.h \
 agent/config.h include/nsrpd.h agent/election.h agent/netlink.h
agent/log.h:
agent/manage.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/netlink.h:
