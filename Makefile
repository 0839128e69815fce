# hostmon: a plain Makefile.  make, make check, make install, make clean,
# make lint, make bench, make demo.  Each part of the tree adds itself through
# its own module.mk; this file holds only what they share.

PREFIX    ?= /usr/local
DESTDIR   ?=
SBINDIR   ?= $(PREFIX)/sbin
BINDIR    ?= $(PREFIX)/bin
# The library goes to the multiarch folder, as Debian's do
# (PREFIX/lib/x86_64-linux-gnu); dpkg-buildpackage says which in
# DEB_HOST_MULTIARCH, else dpkg-architecture or the compiler does.
ifndef MULTIARCH
MULTIARCH := $(or $(DEB_HOST_MULTIARCH),$(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null),$(shell $(or $(CC),cc) -print-multiarch 2>/dev/null))
endif
LIBDIR    ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
# Programs whose names other Debian packages own live here, off PATH:
# AST's ss (iproute2 has /usr/bin/ss) and rpc.statd (nfs-common's).
PKGLIBDIR ?= $(PREFIX)/lib/hostmon
STATDDIR  ?= $(PKGLIBDIR)/sbin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
LOCALSTATEDIR ?= /var
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
DEPS_package    := package
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
INSTALL_HOOKS :=	# rules run by make install (prefer INSTALL_FILES: Makefile)
INSTALL_FILES :=
INSTALL_CONFS :=
INSTALL_LINKS :=
INSTALL_DIRS  :=
INSTALL_SOURCES :=
HM_USERS      :=	# system users make install makes as root

# The first rule is the default: `make` is `make all`.
all: build

# What embeds an installation path depends on this stamp, rewritten only
# when a path changes: `make install PREFIX=/usr` after a plain `make`
# rebuilds those objects instead of installing ones made for /usr/local.
PATHS_STAMP := $(B)/paths.stamp
HM_PATHS := $(PREFIX):$(SBINDIR):$(BINDIR):$(LIBDIR):$(INCDIR):$(SYSCONFDIR):$(PKGLIBDIR):$(STATDDIR)
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

# make install and make uninstall work from one list, $(B)/install.list,
# written anew each time from what the module.mk files declare:
#	file MODE SOURCE PATH	a file (PATH without DESTDIR)
#	conf MODE SOURCE PATH	a configuration file: never overwritten, and
#				removed only while it is still as installed
#	link TARGET PATH	a symbolic link (TARGET is made relative)
#	dir PATH		a folder of hostmon's own, removed once empty
# A module adds lines with INSTALL_FILES (MODE:SOURCE:PATH), INSTALL_CONFS,
# INSTALL_LINKS (TARGET:PATH) and INSTALL_DIRS, and its generated sources
# with INSTALL_SOURCES.  scripts/hm-install.sh does the work: into this
# system (no DESTDIR) it first refuses a path that a Debian package owns.
HM_PRIVATE_SBIN := rpc.statd sm-notify
HM_PRIVATE_BIN  := ss
# ss is on PATH as hmss, and so is its page: man ss stays iproute2's ss(8).
HM_BIN_ALIAS    := ss:hmss
INSTALL_LIST    := $(B)/install.list
HM_SYSTEMD      := $(sort $(wildcard etc/systemd/*.service))
HM_INITD        := $(sort $(wildcard etc/init.d/*))
HM_DEFAULTS     := $(sort $(wildcard etc/default/*))
HM_LOGROTATE    := $(sort $(wildcard etc/logrotate.d/*))
# Manual pages under another name once installed (ss.1 is hmss.1; the
# rpc.statd page is nfs-common's name unless a package diverts it).
STATD_MAN       ?= hostmon-rpc.statd.8
SMNOTIFY_MAN    ?= hostmon-sm-notify.8
HM_MAN_RENAME   := ss.1:hmss.1 rpc.statd.8:$(STATD_MAN) \
	sm-notify.8:$(SMNOTIFY_MAN)
hm_man_name      = $(or $(patsubst $(1):%,%,$(filter $(1):%,$(HM_MAN_RENAME))),$(1))

# Init scripts, units and the start script name where the programs are.
HM_SUBST = sed -e 's|/usr/local/sbin/rpc\.statd|$(STATDDIR)/rpc.statd|g' \
	-e 's|/usr/local/sbin|$(SBINDIR)|g' -e 's|/usr/local/bin|$(BINDIR)|g' \
	-e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	-e 's|@STATDDIR@|$(STATDDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
$(B)/etc/%: etc/% $(PATHS_STAMP)
	@mkdir -p $(@D)
	$(HM_SUBST) $< >$@
# A renamed page says its new name in its header.
define hm_man_rule
$(B)/man/$(2): man/$(1) $(MAKEFILE_LIST)
	@mkdir -p $$(@D)
	sed 's/^\.Dt [^ ]* /.Dt \U$(basename $(2))\E /' $$< >$$@
endef
$(foreach r,$(HM_MAN_RENAME),$(eval $(call hm_man_rule,$(word 1,$(subst :, ,$(r))),$(word 2,$(subst :, ,$(r))))))
HM_RENAMED_MAN := $(foreach r,$(HM_MAN_RENAME),$(if $(filter man/$(word 1,$(subst :, ,$(r))),$(MANPAGES)),$(B)/man/$(word 2,$(subst :, ,$(r)))))
INSTALL_SOURCES += $(HM_SYSTEMD:%=$(B)/%) $(HM_INITD:%=$(B)/%) $(HM_RENAMED_MAN)

install-list: build $(INSTALL_SOURCES)
	@{ for p in $(SBIN_PROGS); do n=$${p##*/}; \
	    case " $(HM_PRIVATE_SBIN) " in \
	    *" $$n "*) [ "$$n" = rpc.statd ] && d=$(STATDDIR) || d=$(PKGLIBDIR)/sbin ;; \
	    *) d=$(SBINDIR) ;; esac; \
	    echo "file 755 $$p $$d/$$n"; done; \
	for p in $(BIN_PROGS); do n=$${p##*/}; \
	    case " $(HM_PRIVATE_BIN) " in \
	    *" $$n "*) echo "file 755 $$p $(PKGLIBDIR)/bin/$$n"; \
		for a in $(HM_BIN_ALIAS); do [ "$${a%%:*}" = "$$n" ] && \
		    echo "link $(PKGLIBDIR)/bin/$$n $(BINDIR)/$${a#*:}"; done ;; \
	    *) echo "file 755 $$p $(BINDIR)/$$n" ;; esac; done; \
	for m in $(MANPAGES); do n=$${m##*/}; r=$$n; \
	    for a in $(HM_MAN_RENAME); do [ "$${a%%:*}" = "$$n" ] && r=$${a#*:}; done; \
	    [ "$$r" = "$$n" ] && s=$$m || s=$(B)/man/$$r; \
	    echo "file 644 $$s $(MANDIR)/man$${r##*.}/$$r"; done; \
	for f in $(HM_INITD); do n=$${f##*/}; \
	    echo "file 755 $(B)/$$f $(SYSCONFDIR)/init.d/hostmon-$$n"; done; \
	for f in $(HM_SYSTEMD); do echo "file 644 $(B)/$$f $(SYSTEMDUNITDIR)/$${f##*/}"; done; \
	for f in $(HM_DEFAULTS); do echo "conf 644 $$f $(SYSCONFDIR)/default/$${f##*/}"; done; \
	for f in $(HM_LOGROTATE); do echo "conf 644 $$f $(SYSCONFDIR)/logrotate.d/$${f##*/}"; done; \
	for e in $(INSTALL_FILES); do echo "file $$e" | tr ':' ' '; done; \
	for e in $(INSTALL_CONFS); do echo "conf $$e" | tr ':' ' '; done; \
	for e in $(INSTALL_LINKS); do echo "link $$e" | tr ':' ' '; done; \
	for d in $(PKGLIBDIR) $(INSTALL_DIRS); do echo "dir $$d"; done; \
	} >$(INSTALL_LIST).new && mv $(INSTALL_LIST).new $(INSTALL_LIST)

install: install-list $(INSTALL_HOOKS)
	@DESTDIR='$(DESTDIR)' HM_USERS='$(HM_USERS)' scripts/hm-install.sh install $(INSTALL_LIST)

uninstall: install-list
	@DESTDIR='$(DESTDIR)' scripts/hm-install.sh uninstall $(INSTALL_LIST)

SH_SCRIPTS += scripts/hm-install.sh scripts/debpkg.sh tests/package/t_package.sh \
	$(wildcard debian/*.preinst debian/*.postinst debian/*.postrm)

# The Debian packages, built from a copy of the checkout in $(B)/deb (so
# nothing lands beside the checkout); the .debs and .changes are left in
# $(B)/deb, lintian's verdict in $(B)/deb/lintian.txt.
package:
	@scripts/debpkg.sh build '$(B)/deb'

# Build, install with apt, run, remove and purge the packages in a fresh
# minimal Debian 12 root (tests/package/t_package.sh).
package-check:
	@scripts/fresh-root.sh 'bash tests/package/t_package.sh'

clean:
	rm -rf build build-san build-clang build-san-clang

.PHONY: all build deps check check-unit lint bench demo install install-list uninstall \
	package package-check clean FORCE
.DELETE_ON_ERROR:

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)

endif
