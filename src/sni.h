/* SPDX-License-Identifier: Apache-2.0 */
/* sni.h: the host_name of a ClientHello's server_name extension (RFC 6066),
 * read from the extension's raw bytes before OpenSSL itself has parsed it. */
#ifndef CFAOP_SNI_H
#define CFAOP_SNI_H

#include <stddef.h>

#define CFAOP_SNI_MAX 255

/* Copies the first host_name entry of the extension body into out
 * (NUL-terminated, at most CFAOP_SNI_MAX bytes) and returns 1; returns 0
 * for a malformed body, no host_name entry, an empty name or one that
 * holds a NUL or is too long. */
int cfaop_sni_from_extension(const unsigned char *ext, size_t len, char out[CFAOP_SNI_MAX + 1]);

#endif
