# tests/fuzz: libFuzzer targets for every parser of outside input (see
# tests/fuzz/README).  `make fuzz` builds them with clang into $(FUZZ_B);
# `make fuzz-run` runs each for FUZZ_TIME seconds, one after another, and
# fails if any finds a crash.  Not part of `make check`: the replay suites
# tests/unit/*/check_fuzzcorpus.c run the same targets over the committed
# corpora and crash inputs with the normal build.
#
# Included after src/*/module.mk: the parts' source lists (COMMON_SRCS,
# STATD_LIB_SRCS, ...) are set.  Every object is compiled again here, with
# the fuzzer's instrumentation, into $(FUZZ_B)/obj.
FUZZ_B    ?= build-fuzz
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(WARNINGS) $(if $(WERROR),-Werror) \
	-fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_CPPFLAGS := -D_GNU_SOURCE -Isrc/common -I$(B)/rpc
FUZZ_O    := $(FUZZ_B)/obj

# Each target: tests/fuzz/PART/fuzz_NAME.c, built as $(FUZZ_B)/fuzz_PART_NAME
# (fuzz_smsd_request, ...), seeded from tests/fuzz/PART/corpus/NAME and the
# crash inputs kept in tests/fuzz/PART/regress/NAME.
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/*/fuzz_*.c))
FUZZ_NAME     = $(word 3,$(subst /, ,$(1)))_$(patsubst fuzz_%.c,%,$(notdir $(1)))
FUZZ_TARGETS := $(foreach s,$(FUZZ_SRCS),$(FUZZ_B)/fuzz_$(call FUZZ_NAME,$(s)))

# The code under test, by part, as archives: a target takes what it uses.
FUZZ_LIB_common  := $(COMMON_SRCS)
FUZZ_LIB_statd   := $(STATD_LIB_SRCS) $(B)/rpc/sm_inter_xdr.c
FUZZ_LIB_samd    := $(SAM_LIB_SRCS)
FUZZ_LIB_ssd     := $(SSD_LIB_OBJS:$(B)/%.o=%.c) src/ssd/csstat.c
FUZZ_LIB_smsd    := $(SMSD_LIB_SRCS) src/samreport/summary.c src/nsmstate/nsmstate.c
FUZZ_LIB_cluster := $(CLUSTER_SRCS)
FUZZ_PARTS := common statd samd ssd smsd cluster
FUZZ_OBJS_OF = $(patsubst %.c,$(FUZZ_O)/%.o,$(patsubst $(B)/%.c,%.c,$(1)))
define FUZZ_LIB_RULE
$(FUZZ_B)/lib$(1).a: $(call FUZZ_OBJS_OF,$(FUZZ_LIB_$(1)))
	@mkdir -p $$(@D)
	rm -f $$@
	$(AR) rcs $$@ $$^
endef
$(foreach p,$(FUZZ_PARTS),$(eval $(call FUZZ_LIB_RULE,$(p))))

# What each part's targets link, and with which libraries.
FUZZ_LINK_common  := $(FUZZ_B)/libcommon.a
FUZZ_LINK_statd   := $(FUZZ_B)/libstatd.a $(FUZZ_B)/libcommon.a
FUZZ_LINK_samd    := $(FUZZ_B)/libsamd.a $(FUZZ_B)/libcommon.a
FUZZ_LINK_ssd     := $(FUZZ_B)/libssd.a $(FUZZ_B)/libcommon.a
FUZZ_LINK_smsd    := $(FUZZ_B)/libsmsd.a $(FUZZ_B)/libcluster.a \
	$(FUZZ_B)/libssd.a $(FUZZ_B)/libsamd.a $(FUZZ_B)/libcommon.a
FUZZ_LINK_cluster := $(FUZZ_B)/libcluster.a $(FUZZ_B)/libcommon.a
FUZZ_LIBS_statd   := $(TIRPC_LIBS) -lpthread
FUZZ_LIBS_samd    := -lpthread
FUZZ_LIBS_smsd    := $(EVENT_LIBS) $(JANSSON_LIBS) $(CLUSTER_LIBS) -lpthread
FUZZ_LIBS_cluster := $(CLUSTER_LIBS)

$(FUZZ_O)/%.o: %.c | $(GENERATED)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_XFLAGS) $(FUZZ_CFLAGS) $(TIRPC_CFLAGS) \
	    -MMD -MP -c -o $@ $<
$(FUZZ_O)/rpc/%.o: $(B)/rpc/%.c | $(GENERATED)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) $(TIRPC_CFLAGS) \
	    -Wno-unused-parameter -Wno-unused-variable -Wno-cast-function-type \
	    -MMD -MP -c -o $@ $<
# The per-file flags the parts give their own objects.
$(FUZZ_O)/src/smsd/corosync.o $(FUZZ_O)/src/cluster/%.o: \
	FUZZ_XFLAGS += -Isrc/cluster $(CLUSTER_CFLAGS)
$(FUZZ_O)/src/common/progopt.o: FUZZ_XFLAGS += -DHM_VERSION='"$(HM_VERSION)"'
$(FUZZ_O)/src/ssd/csstat.o: FUZZ_XFLAGS += $(CSSTAT_DEFS)
$(FUZZ_O)/src/ssd/csstat.o: $(PATHS_STAMP)
$(FUZZ_O)/src/smsd/suite.o: FUZZ_XFLAGS += -Isrc/ssd -Isrc/samreport -Isrc/samd \
	-Isrc/nsmstate
$(FUZZ_O)/src/samreport/summary.o: FUZZ_XFLAGS += -Isrc/samd
$(FUZZ_O)/tests/fuzz/cluster/%.o: FUZZ_XFLAGS += $(CLUSTER_CFLAGS)

define FUZZ_TARGET_RULE
$(FUZZ_B)/fuzz_$(call FUZZ_NAME,$(1)): $(FUZZ_O)/$(1:.c=.o) \
    $(FUZZ_LINK_$(word 3,$(subst /, ,$(1))))
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $$@ $$^ \
	    $(FUZZ_LIBS_$(word 3,$(subst /, ,$(1))))
endef
$(foreach s,$(FUZZ_SRCS),$(eval $(call FUZZ_TARGET_RULE,$(s))))

fuzz: $(FUZZ_TARGETS)

# Each target in turn; new inputs go to $(FUZZ_B)/corpus, never into the
# committed seeds, and crash inputs to $(FUZZ_B)/crashes.
fuzz-run: fuzz
	@FUZZ_B=$(FUZZ_B) FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-run clean-fuzz
SH_SCRIPTS += tests/fuzz/run.sh

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_B)

-include $(shell find $(FUZZ_O) -name '*.d' 2>/dev/null)
