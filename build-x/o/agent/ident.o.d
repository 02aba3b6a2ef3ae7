build-x/o/agent/ident.o: agent/ident.c agent/ident.h
agent/ident.h:
