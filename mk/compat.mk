# SPDX-License-Identifier: Apache-2.0
# mk/compat.mk: `make compat`, the README's two commands on fresh roots of
# each supported Debian release (scripts/compat.sh; needs root, network to
# the Debian mirror, and about 15 minutes; not part of `make test`).
.PHONY: compat
compat:
	bash scripts/compat.sh $(RELEASES)
