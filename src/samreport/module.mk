# src/samreport: libsamreport, samrep's SUMMARY as JSON values, for samrep -j
# (src/samd) and smsd's /v1/suite/availability.  The archive holds the
# report model it is built on (src/samd's report, record and name code),
# so a program links the library, never samd's .c files.
LIBSAMREPORT := $(B)/libsamreport.a
LIBSAMREPORT_OBJS := $(B)/src/samreport/summary.o \
	$(addprefix $(B)/src/samd/,report.o evrec.o samconf.o)

$(B)/src/samreport/summary.o: HM_CPPFLAGS += -Isrc/samd
$(LIBSAMREPORT): $(LIBSAMREPORT_OBJS)
	rm -f $@
	$(AR) rcs $@ $^
PROGS += $(LIBSAMREPORT)

# samrep -j prints through it (its own rule, in src/samd/module.mk, links
# every prerequisite).
$(B)/src/samd/samrep.o: HM_CPPFLAGS += -Isrc/samreport -Isrc/samd
$(B)/bin/samrep: $(B)/src/samreport/summary.o
