# SPDX-License-Identifier: Apache-2.0
# mk/hardening.mk: sanitizer, valgrind, fuzzing and soak targets.
#
# The Makefile pulls this in with `-include mk/hardening.mk`; it uses the
# Makefile's APR_INC, APR_CPPFLAGS and LIBS. The scripts below also work
# without that line (they run `make -f Makefile -f mk/hardening.mk ...`), so
# the file guards against being read twice. docs/hardening.md says how to
# run each target and what a clean result looks like.
#
#   make asan        module + Check unit and glue tests built with ASan and UBSan
#                    (clang) in build/asan; runs the unit tests and the whole
#                    Apache::Test suite against httpd loading that module;
#                    fails on any failed test or any sanitizer report
#   make fuzz        builds the libFuzzer targets (fuzz/fuzz_*.c) in
#                    build/fuzz and runs each for FUZZ_RUNS inputs (CI)
#   make fuzz-long   the same for FUZZ_SECONDS seconds per target (hours)
#   make valgrind    the suite under valgrind memcheck, single-process httpd
#   make soak        100,000+ mixed handshakes across 20+ graceful restarts
#   make analyze     gcc -fanalyzer over the module's sources; any report fails

ifndef CFAOP_HARDENING_MK
CFAOP_HARDENING_MK := 1

# Whatever the including Makefile's default goal is stays the default.
cfaop_hardening_saved_goal := $(.DEFAULT_GOAL)

HARDEN_CC    ?= clang
ASAN_BUILD   ?= build/asan
FUZZ_BUILD   ?= build/fuzz
FUZZ_RUNS    ?= 20000
FUZZ_SECONDS ?= 600

# clang warns where gcc does not (a `{ NULL }` ending a command table);
# the sanitizer builds must not fail on that under -Werror.
HARDEN_WNO    := -Wno-missing-field-initializers
ASAN_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                 -fno-omit-frame-pointer
FUZZ_SANITIZE := -fsanitize=fuzzer-no-link,address,undefined \
                 -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# Every file a sub-make has to read (this one included when the Makefile
# does not include it yet).
HARDEN_FILES := -f $(firstword $(MAKEFILE_LIST)) -f $(lastword $(MAKEFILE_LIST))

FUZZ_TARGETS := serial denyfile pin hostmap rfc9440 leg1 sessionrec crl cert anchors directive logesc sni clientip
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))
FUZZ_COMMON  := fuzz/common.c fuzz/common.h

.PHONY: asan asan-build fuzz fuzz-build fuzz-link fuzz-long valgrind soak analyze

# ---- sanitizers ----------------------------------------------------------

# The module, the unit tests and the glue tests, instrumented, in their own
# build directory.
asan-build:
	$(MAKE) --no-print-directory $(HARDEN_FILES) BUILD=$(ASAN_BUILD) CC=$(HARDEN_CC) OPT="-O1 -g" \
	  SANITIZE="$(ASAN_SANITIZE) $(HARDEN_WNO)" \
	  $(ASAN_BUILD)/mod_cf_aop.so $(ASAN_BUILD)/unit_tests $(ASAN_BUILD)/glue_tests

# Installs clang when missing (as root), builds, runs everything.
asan:
	ASAN_BUILD=$(ASAN_BUILD) bash scripts/asan-suite.sh

valgrind: all
	bash scripts/valgrind-suite.sh

soak: all
	bash scripts/soak.sh

# ---- static analysis -----------------------------------------------------

# GCC's analyzer (paths through each function: uninitialised reads, leaks,
# double frees) on the engine and the glue, with the build's own flags;
# warnings are errors, so any report fails the target.
ANALYZE_SRC := $(wildcard src/*.c) $(GLUE_SRC)
analyze:
	@set -e; for f in $(wildcard src/*.c); do \
	  echo "  ANALYZE $$f"; \
	  gcc -fanalyzer -c -o /dev/null -std=gnu11 $(WARN) -I$(APR_INC) $(APR_CPPFLAGS) -Isrc $$f; \
	done; for f in $(GLUE_SRC); do \
	  echo "  ANALYZE $$f"; \
	  gcc -fanalyzer -c -o /dev/null -std=gnu11 $(WARN) -I$(APR_INC) $(APR_CPPFLAGS) -I$(HTTPD_INC) -I. $$f; \
	done

# ---- fuzzing -------------------------------------------------------------

# The engine with coverage instrumentation, then one binary per target.
fuzz-build:
	$(MAKE) --no-print-directory $(HARDEN_FILES) BUILD=$(FUZZ_BUILD) CC=$(HARDEN_CC) OPT="-O1 -g" \
	  SANITIZE="$(FUZZ_SANITIZE) $(HARDEN_WNO)" $(FUZZ_BUILD)/libcfaop.a
	$(MAKE) --no-print-directory $(HARDEN_FILES) FUZZ_BUILD=$(FUZZ_BUILD) fuzz-link

fuzz-link: $(FUZZ_BINS)

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_COMMON) $(FUZZ_BUILD)/libcfaop.a
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(HARDEN_CC) -O1 -g -std=gnu11 -Wall -Wextra -Werror \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -fno-omit-frame-pointer -Isrc -Ifuzz -I$(APR_INC) $(APR_CPPFLAGS) \
	  -o $@ $< fuzz/common.c $(FUZZ_BUILD)/libcfaop.a -lapr-1 $(LIBS)

# CI: every target for FUZZ_RUNS inputs from its seed corpus.
fuzz:
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_RUNS=$(FUZZ_RUNS) bash fuzz/run.sh smoke

# Hours: FUZZ_SECONDS per target (FUZZ_TARGETS="cert crl" to choose).
fuzz-long:
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh long

.DEFAULT_GOAL := $(if $(cfaop_hardening_saved_goal),$(cfaop_hardening_saved_goal),all)

endif
