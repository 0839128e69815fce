# tests/: scenario scripts and the shell scripts shellcheck reads.
INTEG_TESTS += $(sort $(wildcard tests/integration/t_*.sh))
SH_SCRIPTS  += tests/run.sh scripts/deps.sh scripts/demo.sh scripts/fresh-root.sh \
	$(wildcard tests/integration/*.sh tests/integration/lib/*.sh \
	tests/bench/*.sh .ci/run etc/init.d/*)

# tests/bench (rpc.statd benchmark): a UDP echo pair, the loopback's
# physical limit, and nsmsink, a crowd of rebooted statd peers behind one
# socket.  Built with everything else, so `make bench` finds them.
STATD_BENCH_TOOLS := $(B)/tests/bench/udpecho $(B)/tests/bench/nsmsink
PROGS += $(STATD_BENCH_TOOLS)
$(STATD_BENCH_TOOLS): $(B)/%: $(B)/%.o
	$(CC) $(HM_LDFLAGS) -o $@ $^
# smstorm: many NSM callers at once (the storms of issue 16).
PROGS += $(B)/tests/bench/smstorm
$(B)/tests/bench/smstorm: $(B)/tests/bench/smstorm.o $(B)/rpc/sm_inter_xdr.o
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(TIRPC_LIBS) -lpthread

# nlmclient: the NLM test client of the NFS-Ganesha interoperability test
# (t_statd_ganesha.sh).  Its own small .x files (MOUNT v3 MNT, NFSv3 LOOKUP,
# NLM4 TEST/LOCK/UNLOCK) are compiled by rpcgen into $(B)/rpc, like
# rpc/sm_inter.x; Debian's rpcsvc copies lack MOUNT v3 and NLM v4.
NLMC_X    := mount3 nfs3 nlm4
NLMC_H    := $(NLMC_X:%=$(B)/rpc/%.h)
NLMC_XDR  := $(NLMC_X:%=$(B)/rpc/%_xdr.c)
NLMC_OBJS := $(NLMC_X:%=$(B)/rpc/%_xdr.o)
NLMCLIENT := $(B)/tests/tools/nlmclient

$(NLMC_X:%=$(B)/rpc/%.x): $(B)/rpc/%.x: tests/tools/%.x
	@mkdir -p $(@D)
	cp $< $@
$(NLMC_H): $(B)/rpc/%.h: $(B)/rpc/%.x
	cd $(@D) && rm -f $*.h && $(RPCGEN) -h -o $*.h $*.x
$(NLMC_XDR): $(B)/rpc/%_xdr.c: $(B)/rpc/%.x
	cd $(@D) && rm -f $*_xdr.c && $(RPCGEN) -c -o $*_xdr.c $*.x
$(NLMC_OBJS): $(B)/rpc/%_xdr.o: $(B)/rpc/%.h
$(B)/tests/tools/nlmclient.o: $(NLMC_H)
$(NLMCLIENT): $(B)/tests/tools/nlmclient.o $(NLMC_OBJS)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(TIRPC_LIBS)
PROGS += $(NLMCLIENT)

# tests/bench (smsd benchmark, bench_smsd.sh): ssehold holds thousands of
# event stream clients (and measures fan-out latency with -l), ssepost
# posts time-stamped events to smsd's posting socket at a steady rate.
SMSD_BENCH_TOOLS := $(B)/tests/bench/ssehold $(B)/tests/bench/ssepost
PROGS += $(SMSD_BENCH_TOOLS)
$(SMSD_BENCH_TOOLS): $(B)/%: $(B)/%.o
	$(CC) $(HM_LDFLAGS) -o $@ $^
