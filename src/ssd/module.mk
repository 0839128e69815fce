# src/ssd: ssd (the status demon), ss (its reader) and libcsstat (the
# csstat(3) library, installed with its header and pkg-config file).
# csstat.c alone makes the library, so programs of other projects link it
# without hostmon's common code.

CSSTAT_VERSION := 1.0.0
CSSTAT_SOMAJOR := 1
CSSTAT_DEFS := -DCSSTAT_PREFIX='"$(PREFIX)"' -DCSSTAT_SBINDIR='"$(SBINDIR)"'

LIBCSSTAT    := $(B)/libcsstat.a
LIBCSSTAT_SO := $(B)/libcsstat.so.$(CSSTAT_VERSION)
CSSTAT_PC    := $(B)/csstat.pc

$(B)/src/ssd/csstat.o: HM_CPPFLAGS += $(CSSTAT_DEFS)
$(B)/src/ssd/csstat.pic.o: src/ssd/csstat.c
	@mkdir -p $(@D)
	$(CC) $(HM_CPPFLAGS) $(CSSTAT_DEFS) $(HM_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(LIBCSSTAT): $(B)/src/ssd/csstat.o
	rm -f $@
	$(AR) rcs $@ $^
$(LIBCSSTAT_SO): $(B)/src/ssd/csstat.pic.o
	$(CC) $(HM_LDFLAGS) -shared -Wl,-soname,libcsstat.so.$(CSSTAT_SOMAJOR) -o $@ $^
# Objects and files that carry PREFIX or SBINDIR follow the paths stamp.
$(B)/src/ssd/csstat.o $(B)/src/ssd/csstat.pic.o: $(PATHS_STAMP)

$(CSSTAT_PC): src/ssd/csstat.pc.in $(PATHS_STAMP)
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCDIR@|$(INCDIR)|g' -e 's|@VERSION@|$(CSSTAT_VERSION)|g' $< >$@

# ssd.c and ss.c hold the mains; the unit tests link everything else.
SSD_LIB_OBJS := $(addprefix $(B)/src/ssd/,sample.o idlehook.o statusfile.o \
	remote.o ssout.o)
SSD := $(B)/bin/ssd
SS  := $(B)/bin/ss

$(SSD): $(B)/src/ssd/ssd.o $(SSD_LIB_OBJS) $(LIBCSSTAT) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^
$(SS): $(B)/src/ssd/ss.o $(B)/src/ssd/ssout.o $(LIBCSSTAT) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^

PROGS      += $(SSD) $(SS) $(LIBCSSTAT) $(LIBCSSTAT_SO) $(CSSTAT_PC)
SBIN_PROGS += $(SSD)
BIN_PROGS  += $(SS)
MANPAGES   += man/ssd.8 man/ss.1 man/csstat.3
SH_SCRIPTS += src/ssd/demo.sh

SSD_UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/ssd/check_*.c))
UNIT_TESTS += $(SSD_UNIT)
$(SSD_UNIT): $(B)/%: $(B)/%.o $(TESTUTIL_OBJ) $(SSD_LIB_OBJS) $(LIBCSSTAT) \
	    $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CHECK_LIBS)

# Test tools: csstat_call makes one csstat(3) call through the built
# library (t_csstat_api.sh); ttylogin is a user logged in on a
# pseudo-terminal, whose keystrokes ssd's idle time sees (t_ssd_comeback.sh).
SSD_TOOLS := $(B)/tests/tools/csstat_call $(B)/tests/tools/ttylogin
PROGS += $(SSD_TOOLS)
$(B)/tests/tools/csstat_call.o: HM_CPPFLAGS += -Isrc/ssd
$(B)/tests/tools/csstat_call: $(B)/tests/tools/csstat_call.o $(LIBCSSTAT)
	$(CC) $(HM_LDFLAGS) -o $@ $^
$(B)/tests/tools/ttylogin: $(B)/tests/tools/ttylogin.o
	$(CC) $(HM_LDFLAGS) -o $@ $^

# ssd's default -u user, made as statd's is (src/statd/module.mk).
HM_USERS += _hmssd

# The library (in the multiarch folder, LIBDIR), its header and its
# pkg-config file.
INSTALL_FILES += 644:$(LIBCSSTAT):$(LIBDIR)/libcsstat.a \
	644:$(LIBCSSTAT_SO):$(LIBDIR)/libcsstat.so.$(CSSTAT_VERSION) \
	644:src/ssd/csstat.h:$(INCDIR)/csstat.h \
	644:$(CSSTAT_PC):$(LIBDIR)/pkgconfig/csstat.pc
INSTALL_LINKS += $(LIBDIR)/libcsstat.so.$(CSSTAT_VERSION):$(LIBDIR)/libcsstat.so.$(CSSTAT_SOMAJOR) \
	$(LIBDIR)/libcsstat.so.$(CSSTAT_SOMAJOR):$(LIBDIR)/libcsstat.so

$(B)/tests/unit/ssd/%.o: HM_CPPFLAGS += -Isrc/ssd -DCSSTAT_TEST_PREFIX='"$(PREFIX)"'
$(patsubst %,%.o,$(SSD_UNIT)): $(PATHS_STAMP)
