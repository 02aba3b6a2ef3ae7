build-x/san/agent/hacrypt.o: agent/hacrypt.c agent/hacrypt.h \
 agent/proto.h include/nsrpd.h
agent/hacrypt.h:
agent/proto.h:
include/nsrpd.h:
