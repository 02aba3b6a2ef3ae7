build-x/san/tests/unit/test_monitor.o: tests/unit/test_monitor.c \
 agent/monitor.h agent/clock.h agent/trackip.h tests/unit/../harness.h
agent/monitor.h:
agent/clock.h:
agent/trackip.h:
tests/unit/../harness.h:
