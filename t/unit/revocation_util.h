/* SPDX-License-Identifier: Apache-2.0 */
/* revocation_util.h: what the revocation tests add to test_util: CRLs made
 * in memory with OpenSSL, written as PEM or DER, and their suites. */
#ifndef CFAOP_REVOCATION_UTIL_H
#define CFAOP_REVOCATION_UTIL_H

#include <string.h>
#include <openssl/x509.h>

#include "test_util.h"

typedef struct {
    const tu_cred_t *issuer;    /* its subject is the CRL's issuer name */
    EVP_PKEY *sign_key;         /* NULL: issuer->key; another key: a bad signature */
    const char *const *serials; /* hex, NULL-terminated; NULL: no entries */
    time_t next_update;         /* 0: no nextUpdate */
    const char *removed;        /* hex serial of an extra removeFromCRL entry, or NULL */
    int delta;                  /* add a deltaCRLIndicator */
    int unknown_critical;       /* add a critical extension nobody knows */
} rv_crl_opts_t;

/* A signed CRL, owned by tu_pool. */
X509_CRL *rv_make_crl(const rv_crl_opts_t *opts);

/* The shortcut: issuer's CRL of serials with nextUpdate a week ahead. */
X509_CRL *rv_crl(const tu_cred_t *issuer, const char *const *serials);

char *rv_crl_pem(X509_CRL *crl);
unsigned char *rv_crl_der(X509_CRL *crl, size_t *len);

/* A temp file (removed with tu_pool) of the concatenated NULL-terminated strings. */
const char *rv_write_text(const char *first, ...);

/* A store trusting the given anchors (each on its own, as a policy does). */
X509_STORE *rv_store(X509 *first, ...);

#ifndef ck_assert_contains
#define ck_assert_contains(haystack, needle) \
    ck_assert_msg((haystack) != NULL && strstr((haystack), (needle)) != NULL, \
                  "\"%s\" does not contain \"%s\"", (haystack) ? (haystack) : "(null)", (needle))
#endif

Suite *serial_suite(void);
Suite *serialset_suite(void);
Suite *pin_suite(void);
Suite *crl_suite(void);

#endif
