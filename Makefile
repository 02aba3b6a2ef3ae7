# SPDX-License-Identifier: GPL-2.0-only
#
# nsrpd: one entry point to build, test, benchmark, demo and install.
#
#   make            build the BPF objects, the agent and the CLI
#   make check      install dependencies, build, run every test
#   make demo       the two-node lab demo
#   make bench      the benchmarks (docs/BENCHMARKS.md); BENCH_SECTIONS="monfail"
#                   runs only the sections named (tools/bench/run)
#   make fuzz       each fuzz harness for FUZZ_S seconds (default 60)
#   make install    install under $(DESTDIR)$(PREFIX)
#   make deb        the Debian package, in $(BUILD)/deb/
#   make deps       install the Debian packages the project needs
#   make vmlinux    regenerate vmlinux.h from this kernel's BTF
#
# V=1 shows the commands.

.DELETE_ON_ERROR:
.SUFFIXES:

BUILD	?= build
PREFIX	?= /usr/local
DESTDIR	?=
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
STRICT	?=

# A bare "make" builds everything: the first rule below is a library's.
.DEFAULT_GOAL := all

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

# Each compile writes the headers it read to a .d file beside its output:
# make reads them back, so a header change rebuilds what includes it, and
# only that. -MP keeps a deleted header from breaking the build.
DEPFLAGS = -MMD -MP -MF $(@:%=%.d)

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

# ---------------------------------------------------------------- BPF side
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS	 := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))

BPF_CFLAGS := -target bpf -D__TARGET_ARCH_$(ARCH) -O2 -g \
	-Wall -Wextra -Werror -Wno-unused-parameter \
	-I. -Iinclude -Ibpf

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# ---------------------------------------------------------- user space side
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	   -Wno-missing-field-initializers -Iinclude -Iagent -I$(BUILD)
LDLIBS	:= -lxdp -lbpf -lelf -lz -lsodium -lcap -lmnl -lsystemd -ljansson
SAN	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined

AGENT_LIB_SRCS := $(filter-out agent/main.c,$(wildcard agent/*.c))

# Two flavours of every user-space object: plain, and sanitized for tests.
obj	= $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
LIB_OBJS     := $(call obj,o,$(AGENT_LIB_SRCS))
LIB_SAN_OBJS := $(call obj,san,$(AGENT_LIB_SRCS))

# Every object depends on the headers it includes (DEPFLAGS writes them
# down as it compiles), the skeletons among them: those must exist before
# the first compile, hence the order-only prerequisite.
$(BUILD)/o/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) $(DEPFLAGS) -c $< -o $@

$(BUILD)/libnsrpd.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libnsrpd-san.a: $(LIB_SAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/nsrpd: $(BUILD)/o/agent/main.o $(BUILD)/libnsrpd.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# nsrpctl: the one-shot form and the shell (libedit), on the agent's
# command table and configuration keywords.
NSRPCTL_SRCS := $(wildcard tools/nsrpctl*.c)
NSRPCTL_LDLIBS := -ledit

$(BUILD)/nsrpctl: $(call obj,o,$(NSRPCTL_SRCS)) $(BUILD)/libnsrpd.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(NSRPCTL_LDLIBS)

# ------------------------------------------------ manual and completion
# Built from what they document: nsrpd.conf(5) from docs/CONFIGURATION.md,
# nsrpctl(8)'s commands from the daemon's command table, nsrpd(8)'s
# "from the lab to a real pair" from the README, bash completion from the
# command and keyword tables (nsrpd-tables prints them).
$(BUILD)/nsrpd-tables: $(BUILD)/o/tools/tables.o $(BUILD)/libnsrpd.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tables/%: $(BUILD)/nsrpd-tables
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BUILD)/nsrpd-tables $* > $@

MAN_PAGES := $(BUILD)/man/nsrpd.8 $(BUILD)/man/nsrpctl.8 \
	     $(BUILD)/man/nsrpd.conf.5
COMPLETION := $(BUILD)/nsrpctl.bash

$(BUILD)/man/nsrpd.conf.5: docs/CONFIGURATION.md tools/manpage agent/version.h
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/manpage conf $< > $@

$(BUILD)/man/nsrpd.8: man/nsrpd.8.in README.md tools/manpage agent/version.h
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/manpage page $< > $@

$(BUILD)/man/nsrpctl.8: man/nsrpctl.8.in $(BUILD)/tables/commands tools/manpage
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/manpage page $< $(BUILD)/tables/commands > $@

$(COMPLETION): tools/completion $(BUILD)/tables/keywords $(BUILD)/tables/commands
	$(call msg,GEN,$@)
	$(Q)tools/completion $(BUILD)/tables/keywords $(BUILD)/tables/commands > $@

$(BUILD)/san/nsrpd: $(BUILD)/san/agent/main.o $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/san/nsrpctl: $(call obj,san,$(NSRPCTL_SRCS)) $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) $(NSRPCTL_LDLIBS)

# -------------------------------------------------------------------- tests
UNIT_SRCS := $(wildcard tests/unit/*.c)
BPFT_SRCS := $(wildcard tests/bpf/*.c)
TEST_HDRS := $(wildcard tests/*.h tests/*/*.h)

# The harness's structs are laid out in every test file that includes it.
$(call obj,san,$(UNIT_SRCS) $(BPFT_SRCS)): $(TEST_HDRS)

$(BUILD)/tests/unit: $(call obj,san,$(UNIT_SRCS)) $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) -lcunit

$(BUILD)/tests/bpf: $(call obj,san,$(BPFT_SRCS)) $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) -lcunit

# Drives ctcommit and neigh for tests/integration/test_kstate.sh.
$(BUILD)/tests/kstate_tool: $(BUILD)/san/tests/integration/kstate_tool.o $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# Forges HA frames, reads the clock, edits sessions for the cluster tests.
$(BUILD)/tests/ha_tool: $(BUILD)/san/tests/integration/ha_tool.o $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# Floods an HA link for tests/integration/test_ha_flood.sh: built without
# the sanitizers, so that it sends at the rate it is asked for.
$(BUILD)/tests/haflood: $(BUILD)/o/tests/integration/haflood.o $(BUILD)/libnsrpd.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# ------------------------------------------------------------------ fuzzing
# tests/fuzz/fuzz_NAME.c: one harness each, built twice: $(BUILD)/fuzz/NAME
# with clang's libFuzzer for "make fuzz", and $(BUILD)/tests/fuzz-NAME with
# the tests' sanitizers and replay.c's main(), which "make check" runs on
# the committed corpus tests/fuzz/corpus/NAME/.
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_BINS    := $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))
FUZZ_REPLAYS := $(addprefix $(BUILD)/tests/fuzz-,$(FUZZ_NAMES))
FUZZ_COMMON  := tests/fuzz/fuzz.c tests/fuzz/cfgfile.c
FUZZ_HDRS    := $(wildcard tests/fuzz/*.h)
FUZZ_S	     ?= 60
FUZZ_JOBS    ?= 1
FUZZ_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=undefined
LIB_FUZZ_OBJS := $(call obj,fz,$(AGENT_LIB_SRCS))
FUZZ_OWN_SRCS := $(FUZZ_SRCS) $(FUZZ_COMMON) tests/fuzz/replay.c
.PRECIOUS: $(BUILD)/fz/%.o $(call obj,san,$(FUZZ_OWN_SRCS))

$(call obj,san,$(FUZZ_OWN_SRCS)) $(call obj,fz,$(FUZZ_OWN_SRCS)): $(FUZZ_HDRS)

# The agent again, with clang's coverage for libFuzzer to follow.
$(BUILD)/fz/%.o: %.c $(AGENT_HDRS) $(SKELS)
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/libnsrpd-fuzz.a: $(LIB_FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/%: $(BUILD)/fz/tests/fuzz/fuzz_%.o $(call obj,fz,$(FUZZ_COMMON)) \
		 $(BUILD)/libnsrpd-fuzz.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(BUILD)/tests/fuzz-%: $(BUILD)/san/tests/fuzz/fuzz_%.o \
		       $(call obj,san,$(FUZZ_COMMON) tests/fuzz/replay.c) \
		       $(BUILD)/libnsrpd-san.a
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# Writes the generated seeds of the corpora (the rest are written by hand).
$(BUILD)/o/tests/fuzz/mkseeds.o: CFLAGS += -Itests/bpf -Itests/fuzz
$(BUILD)/fuzz-mkseeds: $(BUILD)/o/tests/fuzz/mkseeds.o \
		       $(BUILD)/o/tests/bpf/pkt.o $(BUILD)/libnsrpd.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

TEST_BINS := $(BUILD)/tests/unit $(BUILD)/tests/bpf \
	     $(BUILD)/san/nsrpd $(BUILD)/san/nsrpctl $(BUILD)/tests/kstate_tool \
	     $(BUILD)/tests/ha_tool $(BUILD)/tests/haflood $(FUZZ_REPLAYS)

# --------------------------------------------------------------- benchmarks
# tools/bench/*.bpf.c: helper programs; tools/bench/*.c: one binary each,
# build/bench/NAME, linked like the tests but without the sanitizers.
BENCH_BPF  := $(wildcard tools/bench/*.bpf.c)
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard tools/bench/*.c))
BENCH_BINS := $(patsubst tools/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
BENCH_SKELS := $(patsubst tools/bench/%.bpf.c,$(BUILD)/bench/%.skel.h,$(BENCH_BPF))
.PRECIOUS: $(BUILD)/bench/%.bpf.o $(BUILD)/bench/%.skel.h $(BUILD)/o/tests/bpf/pkt.o

$(BUILD)/bench/%.bpf.o: tools/bench/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

$(BUILD)/bench/%: tools/bench/%.c $(BUILD)/o/tests/bpf/pkt.o $(BUILD)/libnsrpd.a | $(SKELS) $(BENCH_SKELS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(BUILD)/bench -Itests/bpf -o $@ $< \
		$(BUILD)/o/tests/bpf/pkt.o $(BUILD)/libnsrpd.a $(LDLIBS)

# The incumbent's injector talks to the kernel's conntrack as conntrackd does.
$(BUILD)/bench/ct_inject: LDLIBS += -lnetfilter_conntrack -lnfnetlink

# ------------------------------------------------------------------ targets
.PHONY: all check tests demo bench fuzz fuzz-seeds install deb clean deps vmlinux

all: $(BPF_OBJS) $(SKELS) $(BUILD)/nsrpd $(BUILD)/nsrpctl $(MAN_PAGES) \
     $(COMPLETION)

tests: all $(TEST_BINS)

# The test command of the README: install what is missing, build, run all.
# STRICT=1 (CI) fails on any test skipped: see tests/run.
check:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)BUILD=$(BUILD) STRICT=$(STRICT) tests/run

demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) tools/demo

bench:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory tests $(BENCH_BINS)
	$(Q)BUILD=$(BUILD) tools/bench/run $(BENCH_SECTIONS)

# FUZZ=NAME... runs only those; FUZZ_JOBS=2 two at a time.
fuzz:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)BUILD=$(BUILD) FUZZ_S=$(FUZZ_S) FUZZ_JOBS=$(FUZZ_JOBS) \
		tests/fuzz/run $(FUZZ)

fuzz-seeds: $(BUILD)/fuzz-mkseeds
	$(Q)$(BUILD)/fuzz-mkseeds tests/fuzz/corpus

deps:
	$(Q)tools/deps.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

# The BPF objects travel inside the binaries (skeletons). The unit names
# the binary and the configuration where they are installed; the
# configuration is installed only where there is none yet (0600: it will
# hold the HA link's passwords).
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/nsrpd
SYSCONFDIR  ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR     ?= $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSCONFDIR)/nsrpd
	install -m 0755 $(BUILD)/nsrpd $(BUILD)/nsrpctl $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(BUILD)/man/nsrpd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(BUILD)/man/nsrpd.8 $(BUILD)/man/nsrpctl.8 \
		$(DESTDIR)$(MANDIR)/man8/
	install -m 0644 examples/*.conf $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/nsrpctl
	sed -e 's|/usr/sbin/|$(SBINDIR)/|g' -e 's|/etc/nsrpd|$(SYSCONFDIR)/nsrpd|g' \
		dist/nsrpd.service > $(DESTDIR)$(UNITDIR)/nsrpd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/nsrpd.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/nsrpd/nsrpd.conf ] || \
		install -m 0600 dist/nsrpd.conf $(DESTDIR)$(SYSCONFDIR)/nsrpd/nsrpd.conf

# The package is built from a copy of the tree (its files as git knows
# them, committed or not), so that dpkg-buildpackage writes nothing into
# it: build/deb/ holds the copy, the .deb and what goes with it.
VERSION := $(shell sed -n 's/^\#define NSRPD_VERSION[^"]*"\(.*\)"/\1/p' agent/version.h)
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/nsrpd-$(VERSION)

deb:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	$(Q)if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z -co --exclude-standard | \
			xargs -0 cp --parents -t $(DEB_SRC); \
	else \
		tar --exclude=./$(BUILD) -cf - . | tar -C $(DEB_SRC) -xf -; \
	fi
	$(Q)cd $(DEB_SRC) && env -u BUILD -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		DEB_BUILD_OPTIONS="noautodbgsym parallel=$$(nproc)" \
		dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	$(Q)ls $(DEB_DIR)/nsrpd_*.deb

clean:
	rm -rf $(BUILD)

# The package's copy of the tree (make deb) has dependency files of its
# own build, and directories named *.d (rt_protos.d): neither is ours.
-include $(shell find $(BUILD) -path $(DEB_DIR) -prune -o -type f \
	-name '*.d' -print 2>/dev/null)

$(BUILD)/bpf:
	$(Q)mkdir -p $@
