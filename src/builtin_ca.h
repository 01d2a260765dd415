/* SPDX-License-Identifier: Apache-2.0 */
/* builtin_ca.h: Cloudflare's origin-pull CA, compiled in from
 * conf/cloudflare-origin-pull-ca.pem by the Makefile (the `cloudflare` anchor). */
#ifndef CFAOP_BUILTIN_CA_H
#define CFAOP_BUILTIN_CA_H

extern const char cfaop_builtin_ca_pem[];

#define CFAOP_BUILTIN_CA_NAME "cloudflare"

#endif
