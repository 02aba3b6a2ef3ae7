build-x/o/agent/proto.o: agent/proto.c agent/proto.h include/nsrpd.h
agent/proto.h:
include/nsrpd.h:
