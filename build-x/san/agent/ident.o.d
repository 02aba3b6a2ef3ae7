build-x/san/agent/ident.o: agent/ident.c agent/ident.h
agent/ident.h:
