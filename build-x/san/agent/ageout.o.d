build-x/san/agent/ageout.o: agent/ageout.c agent/ageout.h include/nsrpd.h
agent/ageout.h:
include/nsrpd.h:
