# src/smsd: smsd, the system management station daemon, and smsctl, its
# client.  smsd.c and smsctl.c hold the mains; the unit tests and the fuzz
# targets (tests/fuzz) link everything else.
SMSD_MAINS     := src/smsd/smsd.c src/smsd/smsctl.c
SMSD_LIB_SRCS  := $(filter-out $(SMSD_MAINS),$(sort $(wildcard src/smsd/*.c)))
SMSD_LIB_OBJS  := $(SMSD_LIB_SRCS:%.c=$(B)/%.o)
SMSD           := $(B)/bin/smsd
SMSCTL         := $(B)/bin/smsctl
SMSD_LIBS      := $(EVENT_LIBS) $(JANSSON_LIBS) $(CLUSTER_LIBS) -lpthread
# The suite's libraries smsd reads the other daemons' files through
# (named here: src/ssd/module.mk, which sets LIBCSSTAT, is read after)
SMSD_SUITE_LIBS := $(B)/libcsstat.a $(B)/libsamreport.a $(B)/libnsmstate.a

# The station's folder, compiled in (smsd.conf's station-dir changes it).
SMSD_STATION_DIR := $(PREFIX)/share/hostmon/station
$(B)/src/smsd/conf.o: HM_CPPFLAGS += -DSMSD_STATION_DIR='"$(SMSD_STATION_DIR)"'
$(B)/src/smsd/conf.o: $(PATHS_STAMP)
$(B)/src/smsd/suite.o: HM_CPPFLAGS += -Isrc/ssd -Isrc/samreport -Isrc/samd \
	-Isrc/nsmstate

# corosync.c follows corosync's membership through libhmcluster.
$(B)/src/smsd/corosync.o: HM_CPPFLAGS += -Isrc/cluster $(CLUSTER_CFLAGS)
$(SMSD): $(B)/src/smsd/smsd.o $(SMSD_LIB_OBJS) $(SMSD_SUITE_LIBS) $(LIBCLUSTER) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(SMSD_LIBS)

# smsctl shares the configuration reader (for -m MEMBER) and the posting
# message encoder with the daemon.
SMSCTL_OBJS := $(B)/src/smsd/smsctl.o $(B)/src/smsd/conf.o \
	$(B)/src/smsd/acl.o $(B)/src/smsd/post.o $(B)/src/smsd/request.o
$(SMSCTL): $(SMSCTL_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(JANSSON_LIBS)

PROGS      += $(SMSD) $(SMSCTL)
SBIN_PROGS += $(SMSD)
BIN_PROGS  += $(SMSCTL)
MANPAGES   += man/smsd.8 man/smsctl.1 man/smsd.conf.5
# corosync lets smsd (as its unprivileged user) reconnect after a restart;
# smsd.conf as shipped.  Files to install are listed here, not copied by a
# rule of their own, so that make uninstall removes them too (Makefile).
INSTALL_CONFS += 644:etc/corosync/uidgid.d/smsd:$(SYSCONFDIR)/corosync/uidgid.d/smsd \
	644:etc/sms/smsd.conf:$(SYSCONFDIR)/sms/smsd.conf
INSTALL_DIRS  += $(SYSCONFDIR)/sms
# The SysMan Station's files (share/station), where smsd looks by default.
INSTALL_DIRS  += $(SMSD_STATION_DIR)
INSTALL_FILES += $(foreach f,$(sort $(wildcard share/station/*)),644:$(f):$(SMSD_STATION_DIR)/$(notdir $(f)))
HM_USERS      += _hmsmsd
SH_SCRIPTS += etc/init.d/smsd src/smsd/demo.sh

SMSD_UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/smsd/check_*.c))
UNIT_TESTS += $(SMSD_UNIT)
$(SMSD_UNIT): $(B)/%: $(B)/%.o $(TESTUTIL_OBJ) $(SMSD_LIB_OBJS) $(SMSD_SUITE_LIBS) $(LIBCLUSTER) $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(SMSD_LIBS)
