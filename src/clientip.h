/* SPDX-License-Identifier: Apache-2.0 */
/* clientip.h: the visitor's address as Cloudflare's CF-Connecting-IP carries
 * it: exactly one IPv4 or IPv6 address, checked before httpd is given it. */
#ifndef CFAOP_CLIENTIP_H
#define CFAOP_CLIENTIP_H

#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_tables.h>

/* The header Cloudflare names the visitor in. */
#define CFAOP_CLIENTIP_HEADER "CF-Connecting-IP"

/* The longest textual address: eight groups of four hex digits, or six
 * groups followed by a dotted quad (INET6_ADDRSTRLEN - 1). */
#define CFAOP_CLIENTIP_MAX 45

typedef struct {
    int family;                             /* APR_INET or APR_INET6 */
    unsigned char addr[16];                 /* network order; 4 bytes for APR_INET */
    char text[CFAOP_CLIENTIP_MAX + 1];      /* canonical: lower case, zeros compressed */
} cfaop_clientip_t;

/* The value of CFAOP_CLIENTIP_HEADER in headers, or NULL when it is absent.
 * The name is compared in ASCII: apr_table_get() folds case with the C
 * library, which under a locale such as tr_TR.UTF-8 (set by PHP or an
 * embedded interpreter in the child) misses "cf-connecting-ip", the
 * spelling of HTTP/2 and of proxies that lower-case names. Spellings that
 * the same locale kept apart when httpd merged repeated headers come back
 * joined with ", ", the list httpd makes of a repeated header. */
const char *cfaop_clientip_header(apr_pool_t *p, const apr_table_t *headers);

/* Whether a header name is CFAOP_CLIENTIP_HEADER with at least one '-'
 * spelt '_' (CF_Connecting_IP), compared in ASCII. Cloudflare sends no such
 * header; a backend that reads '_' as '-' (CGI-style variables, several
 * application servers) would take it for the visitor's address. */
int cfaop_clientip_underscored(const char *name);

/* Reads value as one address. Returns NULL and fills *ip, or a short
 * phrase saying why it is not one ("a list of addresses", "a port", ...),
 * for a log line. Accepted: dotted-quad IPv4 (no leading zeros, as
 * inet_pton), and IPv6 in any form inet_pton reads, compressed, upper
 * case or with a trailing dotted quad; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is the IPv4 address, as httpd shows such a peer.
 * Refused: anything else, including surrounding or inner white space,
 * brackets, a zone id (%eth0), a port, a list, an empty value, more than
 * CFAOP_CLIENTIP_MAX bytes (only that many are ever read), and the
 * unspecified address (0.0.0.0, ::), which no client connects from. */
const char *cfaop_clientip_parse(const char *value, cfaop_clientip_t *ip);

/* The address as httpd keeps a client's (request_rec.useragent_addr), in
 * pool p, with port 0: the visitor's port is not known. Built from the
 * canonical text, so no name is ever looked up. */
apr_status_t cfaop_clientip_sockaddr(apr_pool_t *p, const cfaop_clientip_t *ip, apr_sockaddr_t **sa);

#endif
