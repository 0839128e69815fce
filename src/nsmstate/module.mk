# src/nsmstate: libnsmstate, rpc.statd's status file read without writing
# it (smsd's /v1/suite/statd).  Only the record format is shared with
# src/statd/store.c, which writes it; the framing is src/common's reclog.
LIBNSMSTATE := $(B)/libnsmstate.a
$(LIBNSMSTATE): $(B)/src/nsmstate/nsmstate.o
	rm -f $@
	$(AR) rcs $@ $^
PROGS += $(LIBNSMSTATE)
