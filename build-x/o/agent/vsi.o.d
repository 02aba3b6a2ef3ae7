build-x/o/agent/vsi.o: agent/vsi.c agent/clock.h agent/garp.h \
 agent/ident.h agent/log.h agent/netlink.h agent/vsi.h agent/config.h \
 include/nsrpd.h agent/election.h agent/dataplane.h
agent/clock.h:
agent/garp.h:
agent/ident.h:
agent/log.h:
agent/netlink.h:
agent/vsi.h:
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/dataplane.h:
