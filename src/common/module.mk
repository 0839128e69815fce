# src/common: the static library every daemon links.
COMMON_SRCS := $(sort $(wildcard src/common/*.c))
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/%.o)
LIBCOMMON   := $(B)/libhmcommon.a

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# One Check binary per tests/unit/common/check_*.c; tests/unit/testutil.c
# holds helpers they share.
COMMON_UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/common/check_*.c))
UNIT_TESTS  += $(COMMON_UNIT)
TESTUTIL_OBJ := $(B)/tests/unit/testutil.o

$(COMMON_UNIT): $(B)/%: $(B)/%.o $(TESTUTIL_OBJ) $(LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CHECK_LIBS)

build: $(LIBCOMMON)

# The project's one version: every program's --version, smsd's Server
# header, /v1/server and sms_build_info.  Only progopt.o carries it, and it
# is rebuilt when this file changes.
HM_VERSION := 0.9.0
$(B)/src/common/progopt.o: HM_CPPFLAGS += -DHM_VERSION='"$(HM_VERSION)"'
$(B)/src/common/progopt.o: src/common/module.mk
