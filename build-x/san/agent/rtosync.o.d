build-x/san/agent/rtosync.o: agent/rtosync.c agent/rtosync.h \
 agent/proto.h include/nsrpd.h
agent/rtosync.h:
agent/proto.h:
include/nsrpd.h:
