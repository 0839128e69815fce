# src/cluster: libhmcluster, corosync membership for samsigd and smsd
# (issue 7).  A static library; its users add $(CLUSTER_LIBS) when linking.
# members.c is the pure bookkeeping the unit tests drive without corosync.
# corolib.c loads corosync's client libraries at run time (dlopen), so no
# program is linked against them and each starts on a host without them
# (single-node mode); their headers (the -dev packages) are still needed
# to build.  dlopen is in glibc's libc since 2.34; an older glibc needs
# make CLUSTER_LIBS=-ldl.
CLUSTER_SRCS    := $(sort $(wildcard src/cluster/*.c))
CLUSTER_OBJS    := $(CLUSTER_SRCS:%.c=$(B)/%.o)
LIBCLUSTER      := $(B)/libhmcluster.a
CLUSTER_PKGS    := libquorum libcpg libcmap libcorosync_common
CLUSTER_CFLAGS  := $(shell $(PKG_CONFIG) --cflags $(CLUSTER_PKGS) 2>/dev/null)
CLUSTER_LIBS    :=
# This file is read before src/common/module.mk (sorted names), so
# LIBCOMMON and TESTUTIL_OBJ are not set yet: their paths are spelt out.
CLUSTER_LIBCOMMON := $(B)/libhmcommon.a
CLUSTER_TESTUTIL  := $(B)/tests/unit/testutil.o

$(CLUSTER_OBJS): HM_CPPFLAGS += $(CLUSTER_CFLAGS)
$(LIBCLUSTER): $(CLUSTER_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
build: $(LIBCLUSTER)

# clusterwatch: prints each membership event, for the scenario tests.
CLUSTERWATCH := $(B)/tests/tools/clusterwatch
$(B)/tests/tools/clusterwatch.o: HM_CPPFLAGS += -Isrc/cluster
$(CLUSTERWATCH): $(B)/tests/tools/clusterwatch.o $(LIBCLUSTER) $(CLUSTER_LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CLUSTER_LIBS)
PROGS += $(CLUSTERWATCH)

CLUSTER_UNIT := $(patsubst %.c,$(B)/%,$(wildcard tests/unit/cluster/check_*.c))
UNIT_TESTS   += $(CLUSTER_UNIT)
$(CLUSTER_UNIT:%=%.o): HM_CPPFLAGS += -Isrc/cluster
$(CLUSTER_UNIT): $(B)/%: $(B)/%.o $(CLUSTER_TESTUTIL) $(B)/src/cluster/members.o \
    $(CLUSTER_LIBCOMMON)
	$(CC) $(HM_LDFLAGS) -o $@ $^ $(CHECK_LIBS)
