build-x/san/agent/monitor.o: agent/monitor.c agent/monitor.h \
 agent/clock.h
agent/monitor.h:
agent/clock.h:
