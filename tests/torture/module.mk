# tests/torture: the crash-torture test.  Its test clients live in
# tests/tools; the scenario is tests/integration/t_torture.sh, which
# `make check` runs with a few kills per daemon.  `make torture` runs the
# full count (TORTURE_KILLS per daemon, default 1000; TORTURE_DAEMONS picks
# some of statd, samd, smsd).
TORTURE_KILLS   ?= 1000
TORTURE_DAEMONS ?= statd samd smsd

# smtorture: the NSM callers (SM_MON, SM_UNMON, SM_UNMON_ALL) for statd.
SMTORTURE := $(B)/tests/tools/smtorture
$(SMTORTURE): $(B)/tests/tools/smtorture.o $(B)/rpc/sm_inter_clnt.o $(B)/rpc/sm_inter_xdr.o
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(TIRPC_LIBS)
# smstorture: posters of events to smsd, which learn from smsd when what
# they posted is in its history file.
SMSTORTURE := $(B)/tests/tools/smstorture
$(SMSTORTURE): $(B)/tests/tools/smstorture.o
	$(CC) $(HM_LDFLAGS) -o $@ $^ -lpthread
PROGS += $(SMTORTURE) $(SMSTORTURE)
SH_SCRIPTS += $(wildcard tests/torture/*.sh)

torture: build
	@B=$(B) TORTURE_KILLS=$(TORTURE_KILLS) TORTURE_DAEMONS="$(TORTURE_DAEMONS)" \
	    bash tests/integration/t_torture.sh

.PHONY: torture

# samdump: SAM's event log and heartbeat as samd's own readers see them.
SAMDUMP := $(B)/tests/tools/samdump
$(B)/tests/tools/samdump.o: HM_CPPFLAGS += -Isrc/samd
$(SAMDUMP): $(B)/tests/tools/samdump.o $(SAM_LIB_OBJS) $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ -lpthread
PROGS += $(SAMDUMP)
