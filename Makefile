# hostmon: a plain Makefile.  make, make check, make install, make clean,
# make lint, make bench, make demo.  Each part of the tree adds itself through
# its own module.mk; this file holds only what they share.

PREFIX    ?= /usr/local
DESTDIR   ?=
SBINDIR   ?= $(PREFIX)/sbin
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc

CC        ?= cc
RPCGEN    ?= rpcgen
PKG_CONFIG ?= pkg-config
SANITIZE  ?=
WERROR    ?=

# Sanitized objects live apart, so `make check SANITIZE=1` never mixes them
# with the plain build.
B := build$(if $(SANITIZE),-san)$(if $(findstring clang,$(notdir $(CC))),-clang)

WARNINGS := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	-Wpointer-arith -Wcast-qual -Wsign-compare -Wformat=2 -Wformat-security
CFLAGS   ?= -O2 -g
comma    := ,
SANFLAGS := $(if $(SANITIZE),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
HM_CFLAGS  = -std=gnu11 $(WARNINGS) $(if $(WERROR),-Werror) $(SANFLAGS) $(CFLAGS)
HM_CPPFLAGS = -D_GNU_SOURCE -Isrc/common -I$(B)/rpc $(CPPFLAGS)
HM_LDFLAGS  = $(SANFLAGS) $(LDFLAGS)

TIRPC_CFLAGS := $(shell $(PKG_CONFIG) --cflags libtirpc 2>/dev/null)
TIRPC_LIBS   := $(shell $(PKG_CONFIG) --libs libtirpc 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
EVENT_LIBS   := $(shell $(PKG_CONFIG) --libs libevent 2>/dev/null)
JANSSON_LIBS := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null)

# ORDER: a target that needs Debian packages installs them first
# (scripts/deps.sh), then make runs again for the real work.  pkg-config's
# flags are read (the := above) when this file is parsed, and are empty on a
# machine without the -dev packages: only the second make, parsed after the
# install, has them.  A prerequisite could not do it: the flags would be read
# before it ran, and under -j it would race the compiles.  So this first
# make knows no other rule; every goal goes to the second, in order.
DEPS_all        := build
DEPS_build      := build
DEPS_check-unit := unit
DEPS_check      := test
DEPS_demo       := demo
DEPS_lint       := lint
DEPS_bench      := bench
DEPS_fuzz       := fuzz
DEPS_fuzz-run   := fuzz
DEPS_torture    := test
ifndef HM_DEPS_DONE
HM_DEPS_FOR := $(sort $(foreach g,$(or $(MAKECMDGOALS),all),$(DEPS_$(g))))
endif
ifneq ($(HM_DEPS_FOR),)
.NOTPARALLEL:
$(or $(MAKECMDGOALS),all): hm-deps-then-make
	@:
hm-deps-then-make:
	@scripts/deps.sh $(HM_DEPS_FOR)
	@$(MAKE) --no-print-directory HM_DEPS_DONE=1 $(MAKECMDGOALS)
.PHONY: hm-deps-then-make
else

# Filled in by the module.mk files.
PROGS       :=	# daemons and tools, built into $(B)/bin
SBIN_PROGS  :=	# installed into SBINDIR
BIN_PROGS   :=	# installed into BINDIR
UNIT_TESTS  :=	# Check binaries
INTEG_TESTS :=	# scenario scripts (need root)
SH_SCRIPTS  :=	# every shell script, for shellcheck
MANPAGES    :=	# mdoc pages
GENERATED   :=	# build products that objects depend on (rpcgen output)
INSTALL_HOOKS :=

# The first rule is the default: `make` is `make all`.
all: build

# What embeds an installation path depends on this stamp, rewritten only
# when a path changes: `make install PREFIX=/usr` after a plain `make`
# rebuilds those objects instead of installing ones made for /usr/local.
PATHS_STAMP := $(B)/paths.stamp
HM_PATHS := $(PREFIX):$(SBINDIR):$(BINDIR):$(LIBDIR):$(INCDIR):$(SYSCONFDIR)
$(PATHS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(HM_PATHS)' | cmp -s - $@ || echo '$(HM_PATHS)' >$@
FORCE:

include $(sort $(wildcard src/*/module.mk)) tests/module.mk \
	$(sort $(wildcard tests/*/module.mk))

build: $(GENERATED) $(PROGS)

$(B)/%.o: %.c | $(GENERATED)
	@mkdir -p $(@D)
	$(CC) $(HM_CPPFLAGS) $(HM_CFLAGS) $(TIRPC_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/%.o: $(B)/%.c | $(GENERATED)
	@mkdir -p $(@D)
	$(CC) $(HM_CPPFLAGS) $(HM_CFLAGS) $(TIRPC_CFLAGS) -Wno-unused-parameter -Wno-unused-variable -Wno-cast-function-type -MMD -MP -c -o $@ $<

check: build $(UNIT_TESTS)
	@B=$(B) SANITIZE=$(SANITIZE) tests/run.sh $(UNIT_TESTS) -- $(INTEG_TESTS)

check-unit: build $(UNIT_TESTS)
	@B=$(B) SANITIZE=$(SANITIZE) tests/run.sh $(UNIT_TESTS) --

lint: build
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --std=c11 -D_GNU_SOURCE -Isrc/common \
	    --suppress=missingIncludeSystem src tests/unit
	shellcheck -S warning $(SH_SCRIPTS)
	mandoc -Tlint -W warning $(MANPAGES)

bench: build
	@B=$(B) tests/bench/run.sh

demo: build
	@B=$(B) scripts/demo.sh

deps:
	@scripts/deps.sh all

install: build $(INSTALL_HOOKS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	$(if $(SBIN_PROGS),install -m 755 $(SBIN_PROGS) $(DESTDIR)$(SBINDIR))
	$(if $(BIN_PROGS),install -m 755 $(BIN_PROGS) $(DESTDIR)$(BINDIR))
	@for m in $(MANPAGES); do s=$${m##*.}; \
	    install -d $(DESTDIR)$(MANDIR)/man$$s && \
	    install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done
	@# Init scripts, pointed at where the programs were installed.
	install -d $(DESTDIR)$(SYSCONFDIR)/init.d
	@for f in etc/init.d/*; do \
	    sed -e 's|/usr/local/sbin|$(SBINDIR)|g' -e 's|/usr/local/bin|$(BINDIR)|g' \
	    $$f >$(DESTDIR)$(SYSCONFDIR)/init.d/$${f##*/} && \
	    chmod 755 $(DESTDIR)$(SYSCONFDIR)/init.d/$${f##*/} || exit 1; done

clean:
	rm -rf build build-san build-clang build-san-clang

.PHONY: all build deps check check-unit lint bench demo install clean FORCE
.DELETE_ON_ERROR:

-include $(shell find $(B) -name '*.d' 2>/dev/null)

endif
