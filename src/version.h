/* SPDX-License-Identifier: Apache-2.0 */
/* src/version.h: the module's version, defined here and nowhere else.
 *
 * Semantic versioning (https://semver.org/). The Makefile reads
 * CFAOP_VERSION from this file (`make version`), `make deb` refuses to
 * build when debian/changelog's upstream version differs, and the module
 * shows it in its startup notice (CFAOP0023) and in the help text of the
 * CFAOP directive, which mod_info's page for the module and
 * `apachectl -L` print. To release: change it here, add a section to
 * CHANGELOG.md and an entry to debian/changelog. */
#ifndef CFAOP_VERSION_H
#define CFAOP_VERSION_H

#define CFAOP_VERSION "1.0.0"

/* "mod_cf_aop/1.0.0", as httpd writes product tokens. */
#define CFAOP_PRODUCT "mod_cf_aop/" CFAOP_VERSION

#endif
