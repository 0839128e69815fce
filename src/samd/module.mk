# src/samd: the System Availability Monitor.  samd (the daemon, run by its
# start script ROOT/samd), samsigd, samkeep (the supervisor), and the tools
# samlog, samrep and samdctl.  The mains are thin; the unit tests link the
# rest (SAM_LIB_OBJS).
# samsigd alone talks to corosync (sigcluster.c, libhmcluster).
SAM_MAINS    := samd samsigd samkeep samlog samrep samdctl
SAM_SIGD_SRCS := src/samd/sigcluster.c
SAM_SIGD_OBJS := $(SAM_SIGD_SRCS:%.c=$(B)/%.o)
SAM_LIB_SRCS := $(filter-out $(SAM_MAINS:%=src/samd/%.c) $(SAM_SIGD_SRCS),$(sort $(wildcard src/samd/*.c)))
SAM_LIB_OBJS := $(SAM_LIB_SRCS:%.c=$(B)/%.o)
SAM_PROGS    := $(SAM_MAINS:%=$(B)/bin/%)

$(filter-out $(B)/bin/samsigd $(B)/bin/samrep,$(SAM_PROGS)): $(B)/bin/%: $(B)/src/samd/%.o $(SAM_LIB_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^ -lpthread

# samrep -j writes JSON with jansson, as smsd does.
$(B)/bin/samrep: $(B)/src/samd/samrep.o $(SAM_LIB_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -lpthread

$(B)/src/samd/samsigd.o $(SAM_SIGD_OBJS): HM_CPPFLAGS += -Isrc/cluster $(CLUSTER_CFLAGS)
$(B)/bin/samsigd: $(B)/src/samd/samsigd.o $(SAM_SIGD_OBJS) $(SAM_LIB_OBJS) $(LIBCLUSTER) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CLUSTER_LIBS) -lpthread

# A generator of large event logs, for the benchmark and tests.
SAMGEN := $(B)/tests/tools/samgen
$(SAMGEN): $(B)/tests/tools/samgen.o $(SAM_LIB_OBJS) $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ -lpthread

PROGS      += $(SAM_PROGS) $(SAMGEN)
SBIN_PROGS += $(filter-out $(B)/bin/samrep $(B)/bin/samlog,$(SAM_PROGS))
BIN_PROGS  += $(B)/bin/samrep $(B)/bin/samlog
MANPAGES   += man/samd.8 man/samsigd.8 man/samkeep.8 man/samlog.8 \
	man/samrep.8 man/samdctl.8
SH_SCRIPTS += src/samd/samd.sh src/samd/demo.sh

SAM_UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/samd/check_*.c))
UNIT_TESTS += $(SAM_UNIT)
$(SAM_UNIT): $(B)/%: $(B)/%.o $(TESTUTIL_OBJ) $(SAM_LIB_OBJS) $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CHECK_LIBS) -lpthread

# The start script goes to /var/avail/sam/samd (SAM's own place, as samd(8)
# says), pointing at the installed daemon.  It holds samd's parameters, so
# it is a configuration file: a reinstall keeps an edited one.
SAM_ROOT_DIR ?= /var/avail/sam
$(B)/samd.script: src/samd/samd.sh $(PATHS_STAMP)
	sed 's|@SAMD_BIN@|$(SBINDIR)/samd|' $< >$@
INSTALL_SOURCES += $(B)/samd.script
INSTALL_CONFS   += 755:$(B)/samd.script:$(SAM_ROOT_DIR)/samd
INSTALL_DIRS    += $(SAM_ROOT_DIR)

# Tests and tools outside src/samd include its headers.
$(B)/tests/tools/samgen.o $(SAM_UNIT:%=%.o): HM_CPPFLAGS += -Isrc/samd
