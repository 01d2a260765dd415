/* SPDX-License-Identifier: Apache-2.0 */
/* leg1.h: Leg-1 headers (cf-cert-*, cf-client-cert-*, Client-Cert, Client-Cert-Chain):
 * which names they are, strict checks, the all-or-nothing CF_CLIENT_CERT_* export, stripping. */
#ifndef CFAOP_LEG1_H
#define CFAOP_LEG1_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/x509.h>

#define CFAOP_LEG1_VALUE_MAX (10 * 1024)       /* bytes of one header value */
#define CFAOP_LEG1_SUFFIX_MAX 64               /* characters after cf-cert- */

typedef enum {
    CFAOP_LEG1_NOT = 0,                 /* not a Leg-1 header */
    CFAOP_LEG1_CF_CERT,                 /* cf-cert-<suffix> */
    CFAOP_LEG1_CF_CLIENT_CERT,          /* cf-client-cert-<suffix> */
    CFAOP_LEG1_CLIENT_CERT,             /* Client-Cert */
    CFAOP_LEG1_CLIENT_CERT_CHAIN        /* Client-Cert-Chain */
} cfaop_leg1_kind_t;

/* Which Leg-1 header a name is, case-insensitively; '_' counts as '-' in
 * the fixed part of the name ("CF_CERT_X", "Client_Cert"), because some
 * application stacks read both spellings as the same variable. A prefix
 * needs a non-empty suffix ("cf-cert-" alone is not Leg-1). */
cfaop_leg1_kind_t cfaop_leg1_kind(const char *name);

/* For a cf-cert-* or cf-client-cert-* name: NULL and *var, the variable
 * "CF_CLIENT_CERT_<SUFFIX upper-cased, '-' as '_'>", or why the header
 * is not exported: a spelling with '_', a suffix outside [A-Za-z0-9-] or
 * longer than CFAOP_LEG1_SUFFIX_MAX, or a name the module sets itself
 * (CF_CLIENT_CERT_PEM, _CHAIN_PEM, _ORIGIN_VERIFIED). */
const char *cfaop_leg1_var_name(apr_pool_t *pool, const char *name, const char **var);

/* NULL when a header value is acceptable: at most CFAOP_LEG1_VALUE_MAX
 * bytes, no control character (below 0x20 except HTAB, and 0x7F). */
const char *cfaop_leg1_check_value(apr_pool_t *pool, const char *value);

typedef struct {
    const char *name;                   /* CF_CLIENT_CERT_<FIELD> */
    const char *value;
    const char *header;                 /* the header it came from (the first, if two agree) */
} cfaop_leg1_var_t;

/* What one request's Leg-1 headers say. All or nothing: once `invalid`
 * is set, nothing of it is exported. Everything lives in `pool`. */
typedef struct {
    apr_pool_t *pool;
    int present;                        /* at least one Leg-1 header */
    const char *invalid;                /* NULL, or the first reason (for the log) */
    apr_array_header_t *vars;           /* cfaop_leg1_var_t, one per field, in arrival order */
    const char *client_cert;            /* raw Client-Cert value, or NULL */
    const char *client_cert_chain;      /* raw Client-Cert-Chain value, or NULL */
    X509 *cert;                         /* Client-Cert, after cfaop_leg1_finish */
    STACK_OF(X509) *chain;              /* Client-Cert-Chain, or NULL */
    const char *cert_pem;               /* CF_CLIENT_CERT_PEM, or NULL */
    const char *chain_pem;              /* CF_CLIENT_CERT_CHAIN_PEM, or NULL */
    const char *fingerprint;            /* CF_CLIENT_CERT_FINGERPRINT_SHA256's value, or NULL */
    int finished;
    apr_hash_t *names;                  /* lower-cased header names seen */
    apr_hash_t *index;                  /* variable name -> index in vars */
} cfaop_leg1_t;

void cfaop_leg1_init(apr_pool_t *pool, cfaop_leg1_t *leg1);

/* Takes one header line; other headers are ignored. The same header
 * name twice (any case) is invalid even with equal values; cf-cert-X and
 * cf-client-cert-X name the same field and are invalid unless equal.
 * Returns leg1->invalid. */
const char *cfaop_leg1_add(cfaop_leg1_t *leg1, const char *name, const char *value);

/* After the last header: Client-Cert-Chain needs Client-Cert; both are
 * parsed (cfaop_rfc9440_*) and rendered as PEM. Returns leg1->invalid. */
const char *cfaop_leg1_finish(cfaop_leg1_t *leg1);

/* init + add for every entry of headers + finish. Returns leg1->invalid. */
const char *cfaop_leg1_collect(apr_pool_t *pool, const apr_table_t *headers,
                               cfaop_leg1_t *leg1);

/* Sets each CF_CLIENT_CERT_<FIELD>, CF_CLIENT_CERT_PEM and _CHAIN_PEM in
 * env, nothing when invalid; then CF_CLIENT_CERT_ORIGIN_VERIFIED when
 * origin_verified is not NULL (Verify mode). Values are not copied. */
void cfaop_leg1_export(const cfaop_leg1_t *leg1, const char *origin_verified,
                       apr_table_t *env);

/* 1 when name is a Leg-1 name spelt with '_' somewhere (client_cert,
 * CF_CERT_VERIFIED, cf-cert-subject_dn): Cloudflare never sends one, and
 * a backend that maps '_' to '-' would read it as the real header. */
int cfaop_leg1_underscored(const char *name);

/* Removes the entries of table for which drop() returns non-zero, keeping
 * the others in order (the table object stays the same); returns how
 * many were removed. Names are never compared with the locale's rules. */
int cfaop_table_drop(apr_table_t *table,
                     int (*drop)(void *baton, const char *key, const char *val), void *baton);

/* Removes every Leg-1 header (every entry, any case, any spelling) from
 * headers; returns how many entries were removed. */
int cfaop_leg1_strip(apr_table_t *headers);

/* Removes the Leg-1 headers spelt with '_' (cfaop_leg1_underscored). */
int cfaop_leg1_strip_underscored(apr_table_t *headers);

/* After a body's trailers were read: removes every Leg-1 trailer from
 * trailers and, from headers, the entries that httpd merged in from
 * trailers (MergeTrailers on: the same key and value pointers), leaving
 * the request's own header lines alone. Returns how many Leg-1 trailers
 * there were. */
int cfaop_leg1_strip_trailers(apr_table_t *headers, apr_table_t *trailers);

#endif
