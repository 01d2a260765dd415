# SPDX-License-Identifier: Apache-2.0
# mk/probe.mk: cfaop-probe, the command that checks an origin from outside
# (tools/, docs/probe.md). The Makefile pulls this in with -include; it uses
# the Makefile's CC, OPT, WARN, SANITIZE, BUILD, Q and LIBS.
#
#   make probe       build/cfaop-probe (also built by `make all`)

ifndef CFAOP_PROBE_MK
CFAOP_PROBE_MK := 1

PROBE     := $(BUILD)/cfaop-probe
PROBE_SRC := $(wildcard tools/*.c)
PROBE_HDR := $(wildcard tools/*.h)

# No deprecated OpenSSL API where OpenSSL 3 can say so; OpenSSL 1.1.1's
# headers take neither macro in this form, so they are left out there.
PROBE_OSSL3 := $(shell printf '\043include <openssl/opensslv.h>\n\043if OPENSSL_VERSION_NUMBER >= 0x30000000L\nossl3\n\043endif\n' \
                 | $(CC) -E -P -x c - 2>/dev/null | grep -c ossl3)
PROBE_API := $(if $(filter 1,$(PROBE_OSSL3)),-DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED,)

.PHONY: probe
probe: $(PROBE)
all: $(PROBE)

$(PROBE): $(PROBE_SRC) $(PROBE_HDR)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(OPT) -std=gnu11 $(WARN) $(SANITIZE) $(PROBE_API) -o $@ $(PROBE_SRC) $(LIBS)

endif
