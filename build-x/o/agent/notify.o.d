build-x/o/agent/notify.o: agent/notify.c agent/config.h include/nsrpd.h \
 agent/election.h agent/log.h agent/notify.h
agent/config.h:
include/nsrpd.h:
agent/election.h:
agent/log.h:
agent/notify.h:
