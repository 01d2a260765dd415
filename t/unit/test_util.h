/* SPDX-License-Identifier: Apache-2.0 */
/* test_util.h: shared pieces of the Check unit tests: APR set up once per
 * process, a pool per test (the fixture), and certificates made in memory
 * with OpenSSL (EC P-256 keys, so making them is fast). Every object a
 * helper returns is freed when the test's pool is destroyed. */
#ifndef CFAOP_TEST_UTIL_H
#define CFAOP_TEST_UTIL_H

#include <time.h>
#include <check.h>
#include <apr_pools.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* OpenSSL 3.0 named the version numbers; 1.1.1 (Debian 11) takes them bare. */
#ifndef X509_VERSION_3
#define X509_VERSION_1 0
#define X509_VERSION_3 2
#endif
#ifndef X509_CRL_VERSION_2
#define X509_CRL_VERSION_2 1
#endif

/* The pool of the running test, made by tu_pool_setup and destroyed by
 * tu_pool_teardown (added to each TCase as a checked fixture). */
extern apr_pool_t *tu_pool;

void tu_apr_init(void);         /* once, in main(), before any test runs */
void tu_apr_term(void);         /* once, at the end of main() */
void tu_pool_setup(void);
void tu_pool_teardown(void);

/* A TCase named after its engine file, with the pool fixture. */
TCase *tu_tcase(const char *name);

/* basicConstraints of a made certificate. */
typedef enum {
    TU_BC_NONE = 0,             /* no basicConstraints extension at all */
    TU_BC_CA,                   /* critical, CA:TRUE */
    TU_BC_LEAF                  /* critical, CA:FALSE */
} tu_bc_t;

typedef struct {
    const char *cn;             /* subject CN (required) */
    const char *o;              /* subject O, or NULL */
    const char *c;              /* subject C, or NULL */
    X509 *issuer;               /* NULL: self-signed */
    EVP_PKEY *issuer_key;       /* the issuer's key (ignored when self-signed) */
    EVP_PKEY *key;              /* the subject's key; NULL: a new P-256 key */
    long serial;                /* used when serial_hex is NULL */
    const char *serial_hex;     /* big serial as hex digits, or NULL */
    time_t not_before;          /* absolute times */
    time_t not_after;
    tu_bc_t bc;
    const char *eku;            /* e.g. "clientAuth", "serverAuth"; NULL: none */
    const char *ku;             /* keyUsage instead of bc's default, e.g. "critical,cRLSign" */
    const char *comment;        /* an nsComment extension (to make big certs), or NULL */
    int v1;                     /* an X.509 v1 certificate: no extensions at all */
} tu_cert_opts_t;

/* A key and the certificate for it, both owned by tu_pool. */
typedef struct {
    EVP_PKEY *key;
    X509 *cert;
} tu_cred_t;

#define TU_DAY ((time_t)86400)

EVP_PKEY *tu_new_key(void);
tu_cred_t tu_make_cert(const tu_cert_opts_t *opts);

/* Shortcuts with valid dates around now:
 * a self-signed CA (CA:TRUE), an intermediate (CA:TRUE) signed by issuer,
 * a client leaf (CA:FALSE, EKU clientAuth) signed by issuer. */
tu_cred_t tu_make_ca(const char *cn);
tu_cred_t tu_make_intermediate(const char *cn, const tu_cred_t *issuer);
tu_cred_t tu_make_leaf(const char *cn, const tu_cred_t *issuer, long serial,
                       time_t not_before, time_t not_after);

/* A certificate's PEM / DER, in tu_pool. */
char *tu_cert_pem(X509 *cert);
unsigned char *tu_cert_der(X509 *cert, size_t *len);
/* A certificate parsed from DER, owned by tu_pool; NULL if it does not parse. */
X509 *tu_cert_from_der(const unsigned char *der, size_t len);

/* A stack of certificates (references taken) freed with tu_pool. */
STACK_OF(X509) *tu_stack(X509 *first, ...);

/* Writes data to a fresh file in the run's temporary directory (made by
 * tu_apr_init, removed with everything in it by tu_apr_term), removed with
 * tu_pool too; returns its path. */
const char *tu_write_temp(const void *data, size_t len);
/* A path in the run's temporary directory that does not exist. */
const char *tu_missing_path(void);

/* Hand an object to tu_pool: it is freed when the pool is destroyed. */
X509 *tu_own_x509(X509 *cert);
EVP_PKEY *tu_own_key(EVP_PKEY *key);
STACK_OF(X509) *tu_own_stack(STACK_OF(X509) *certs);   /* sk_X509_pop_free */

/* One suite (one TCase) per engine file. */
Suite *reason_suite(void);
Suite *certinfo_suite(void);
Suite *anchors_suite(void);
Suite *policy_suite(void);
Suite *chainblob_suite(void);
Suite *export_suite(void);
Suite *directive_suite(void);

#endif
