build-x/san/agent/config.o: agent/config.c agent/config.h include/nsrpd.h \
 agent/election.h
agent/config.h:
include/nsrpd.h:
agent/election.h:
