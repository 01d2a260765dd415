# SPDX-License-Identifier: Apache-2.0
# mod_cf_aop: build with apxs's settings; the engine in src/ is built
# without httpd's headers so that it stays testable on its own.

APXS    ?= apxs
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
SANITIZE ?=

HTTPD_INC    := $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
APR_INC      := $(shell $(APXS) -q APR_INCLUDEDIR 2>/dev/null)
APR_CPPFLAGS := $(shell $(APXS) -q EXTRA_CPPFLAGS 2>/dev/null)
LIBEXECDIR   := $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)
SYSCONFDIR   := $(shell $(APXS) -q SYSCONFDIR 2>/dev/null)

WARN         := -Wall -Wextra -Werror
COMMON       := $(OPT) -fPIC -std=gnu11 $(WARN) $(SANITIZE) -I$(APR_INC) $(APR_CPPFLAGS)
ENGINE_FLAGS := $(COMMON) -Isrc
GLUE_FLAGS   := $(COMMON) -I$(HTTPD_INC) -I.
LIBS         := -lssl -lcrypto

ENGINE_SRC := $(wildcard src/*.c)
ENGINE_OBJ := $(patsubst src/%.c,$(BUILD)/engine/%.o,$(ENGINE_SRC)) $(BUILD)/engine/builtin_ca_pem.o
GLUE_SRC   := mod_cf_aop.c mod_cf_aop_tls.c mod_cf_aop_startup.c mod_cf_aop_request.c mod_cf_aop_authz.c
GLUE_SRC   += mod_cf_aop_remoteip.c
GLUE_SRC   += mod_cf_aop_status.c
GLUE_OBJ   := $(patsubst %.c,$(BUILD)/glue/%.o,$(GLUE_SRC))
ENGINE_LIB := $(BUILD)/libcfaop.a
MODULE     := $(BUILD)/mod_cf_aop.so

UNIT_SRC   := $(wildcard t/unit/*.c)
UNIT_BIN   := $(BUILD)/unit_tests

# The request glue, compiled as in the module, run on hand-made requests
# with t/glue/stub.c standing in for httpd (make glue-test).
GLUE_TEST_SRC := $(wildcard t/glue/*.c)
GLUE_TESTED   := $(BUILD)/glue/mod_cf_aop_request.o $(BUILD)/glue/mod_cf_aop_authz.o
GLUE_TEST_BIN := $(BUILD)/glue_tests

.PHONY: all install uninstall version deb deb-test test unit glue-test apache-test deps demo bench fuzz clean check-sync

all: $(MODULE)

$(BUILD)/engine $(BUILD)/glue:
	mkdir -p $@

# V=1 shows the full compiler lines.
Q := $(if $(V),,@)

$(BUILD)/engine/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)/engine
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ENGINE_FLAGS) -c $< -o $@

# The `cloudflare` anchor, compiled in from the PEM shipped in conf/.
$(BUILD)/engine/builtin_ca_pem.c: conf/cloudflare-origin-pull-ca.pem | $(BUILD)/engine
	$(Q){ echo '#include "builtin_ca.h"'; echo 'const char cfaop_builtin_ca_pem[] ='; \
	  sed -e 's/\r//' -e 's/.*/    "&\\n"/' $<; echo ';'; } > $@

$(BUILD)/engine/builtin_ca_pem.o: $(BUILD)/engine/builtin_ca_pem.c src/builtin_ca.h
	$(Q)$(CC) $(ENGINE_FLAGS) -c $< -o $@

$(ENGINE_LIB): $(ENGINE_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/glue/%.o: %.c mod_cf_aop_private.h $(wildcard src/*.h) | $(BUILD)/glue
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(GLUE_FLAGS) -c $< -o $@

$(MODULE): $(GLUE_OBJ) $(ENGINE_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(SANITIZE) $(LDFLAGS) -o $@ $(GLUE_OBJ) $(ENGINE_LIB) $(LIBS)

# ---- install, version, packages -----------------------------------------

# The one version, from src/version.h.
VERSION := $(shell sed -n 's/^\#define CFAOP_VERSION "\(.*\)"/\1/p' src/version.h)

# Installs the module with `install -m 644` into apxs's LIBEXECDIR (what
# `apxs -i` does, without libtool's "dlname not found" warning on a .so
# that libtool did not build) and the conf files, never overwriting an
# edited one: scripts/install.sh says how. DESTDIR stages the whole tree.
install: $(MODULE) $(BUILD)/cfaop-probe
	@DESTDIR="$(DESTDIR)" bash scripts/install.sh install $(MODULE) "$(LIBEXECDIR)" "$(SYSCONFDIR)"

# Removes what `make install` wrote, leaving (and naming) edited files.
uninstall:
	@DESTDIR="$(DESTDIR)" bash scripts/install.sh uninstall "$(LIBEXECDIR)" "$(SYSCONFDIR)"

version:
	@echo $(VERSION)

# libapache2-mod-cf-aop_$(VERSION)-<rev>_<arch>.deb in build/deb/ (built in
# a copy of the tree); DEB_REVISION / DEB_CONF_NOTE are for make deb-test.
deb:
	@bash scripts/deb-build.sh

# Installs the package into a throwaway Debian 12 root (debootstrap) and
# checks enable, configtest, upgrade, remove and purge. Slow: not in make test.
deb-test:
	@bash scripts/deb-test.sh

# ---- tests ---------------------------------------------------------------

deps:
	@bash scripts/install-deps.sh

$(UNIT_BIN): $(UNIT_SRC) $(wildcard t/unit/*.h) $(ENGINE_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ENGINE_FLAGS) -Wno-unused-parameter $(shell pkg-config --cflags check) \
	  -o $@ $(UNIT_SRC) $(ENGINE_LIB) -lapr-1 $(shell pkg-config --libs check) $(LIBS)

$(GLUE_TEST_BIN): $(GLUE_TEST_SRC) $(wildcard t/glue/*.h) $(GLUE_TESTED) $(ENGINE_LIB)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(GLUE_FLAGS) $(shell pkg-config --cflags check) -o $@ $(GLUE_TEST_SRC) \
	  $(GLUE_TESTED) $(ENGINE_LIB) -laprutil-1 -lapr-1 $(shell pkg-config --libs check) $(LIBS)

unit: $(UNIT_BIN) $(GLUE_TEST_BIN)
	$(UNIT_BIN)
	$(GLUE_TEST_BIN)

glue-test: $(GLUE_TEST_BIN)
	$(GLUE_TEST_BIN)

apache-test: $(MODULE)
	bash t/run-suite.sh

test: deps
	$(MAKE) all
	$(MAKE) check-sync
	$(MAKE) unit
	$(MAKE) apache-test

check-sync:
	bash scripts/check-sync.sh

# PORT=n: the enforcing vhost listens on n, the ReportOnly one on n+1
# (default: two free ports chosen at random).
demo: deps
	$(MAKE) all
	PORT="$(PORT)" bash scripts/demo.sh

bench: deps
	$(MAKE) all
	bash bench/run.sh

# VHOSTS virtual hosts (100) naming one deny file of DENY_N serials (1M): memory.
.PHONY: bench-memory
bench-memory: deps
	$(MAKE) all
	bash bench/memory.sh

clean:
	rm -rf $(BUILD) t/logs t/pki t/state t/TEST t/conf/httpd.conf t/conf/*.conf t/conf/apache_test_config.pm t/conf/modules.conf

# Sanitizers, fuzzing, valgrind and soak: make asan | fuzz | fuzz-long | valgrind | soak
-include mk/hardening.mk
-include mk/compat.mk
-include mk/probe.mk
