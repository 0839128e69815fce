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
