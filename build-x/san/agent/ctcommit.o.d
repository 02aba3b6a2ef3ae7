build-x/san/agent/ctcommit.o: agent/ctcommit.c agent/ctcommit.h \
 include/nsrpd.h agent/log.h
agent/ctcommit.h:
include/nsrpd.h:
agent/log.h:
