# src/statd: rpc.statd.  rpc/sm_inter.x is compiled by rpcgen into
# $(B)/rpc (header, XDR routines, client stubs for the test tools); the
# generated files are build products.
SM_X      := rpc/sm_inter.x
SM_GEN    := $(B)/rpc/sm_inter.h $(B)/rpc/sm_inter_xdr.c $(B)/rpc/sm_inter_clnt.c
GENERATED += $(B)/rpc/sm_inter.h

$(B)/rpc/sm_inter.x: $(SM_X)
	@mkdir -p $(@D)
	cp $< $@
$(B)/rpc/sm_inter.h: $(B)/rpc/sm_inter.x
	cd $(@D) && rm -f sm_inter.h && $(RPCGEN) -h -o sm_inter.h sm_inter.x
$(B)/rpc/sm_inter_xdr.c: $(B)/rpc/sm_inter.x
	cd $(@D) && rm -f sm_inter_xdr.c && $(RPCGEN) -c -o sm_inter_xdr.c sm_inter.x
$(B)/rpc/sm_inter_clnt.c: $(B)/rpc/sm_inter.x
	cd $(@D) && rm -f sm_inter_clnt.c && $(RPCGEN) -l -o sm_inter_clnt.c sm_inter.x

# statd.c holds main(); the unit tests link everything else.
STATD_LIB_SRCS := $(filter-out src/statd/statd.c,$(sort $(wildcard src/statd/*.c)))
STATD_LIB_OBJS := $(STATD_LIB_SRCS:%.c=$(B)/%.o) $(B)/rpc/sm_inter_xdr.o
STATD          := $(B)/bin/rpc.statd

$(STATD): $(B)/src/statd/statd.o $(STATD_LIB_OBJS) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(TIRPC_LIBS) -lpthread

PROGS      += $(STATD)
SBIN_PROGS += $(STATD)
MANPAGES   += man/rpc.statd.8
SH_SCRIPTS += etc/init.d/statd src/statd/demo.sh

# The default -u user, hostmon-statd's own (not nfs-common's statd), made by
# scripts/hm-install.sh when installing into this system as root (with
# DESTDIR, a package's own scripts make them).
HM_USERS += _hmstatd

STATD_UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/statd/check_*.c))
UNIT_TESTS += $(STATD_UNIT)
$(STATD_UNIT): $(B)/%: $(B)/%.o $(TESTUTIL_OBJ) $(STATD_LIB_OBJS) $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(TIRPC_LIBS) -lpthread

# Test tools: an NSM client and a stand-in lock manager.
STATD_TOOLS := $(B)/tests/tools/smcall $(B)/tests/tools/nlmstub
PROGS += $(STATD_TOOLS)
$(B)/tests/tools/smcall: $(B)/tests/tools/smcall.o $(B)/rpc/sm_inter_clnt.o $(B)/rpc/sm_inter_xdr.o
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(TIRPC_LIBS)
$(B)/tests/tools/nlmstub: $(B)/tests/tools/nlmstub.o $(B)/rpc/sm_inter_xdr.o
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(TIRPC_LIBS)

# nfs-utils' sm-notify command is rpc.statd run under that name (smnotify.c):
# a link beside it, never on PATH next to nfs-common's (the package diverts
# /usr/sbin/sm-notify to it).
INSTALL_LINKS += $(STATDDIR)/rpc.statd:$(STATDDIR)/sm-notify
