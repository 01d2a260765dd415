/* SPDX-License-Identifier: Apache-2.0 */
/* common.h: what every libFuzzer target of fuzz/ shares: APR set up once,
 * a pool per input whose allocations ASan can see, a deterministic test CA
 * made in memory, and a checked assertion that stops the fuzzer. */
#ifndef CFAOP_FUZZ_COMMON_H
#define CFAOP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>
#include <openssl/x509.h>

/* A property every input must keep; a violation is a finding: it prints
 * where and aborts, so libFuzzer saves the input as a crash. */
#define FUZZ_ASSERT(cond) \
    do { if (!(cond)) fuzz_fail(__FILE__, __LINE__, #cond); } while (0)

void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* APR, OpenSSL and the fixtures; call from LLVMFuzzerInitialize. */
void fuzz_init(void);

/* The pool that lives as long as the process (policies, sets built once). */
apr_pool_t *fuzz_global_pool(void);

/* A fresh pool for one input, and its end. Every apr_palloc of these
 * binaries is a malloc of its own (see common.c), so an overflow of pool
 * memory or a use after the pool is gone is an ASan report. */
apr_pool_t *fuzz_pool_new(void);
void fuzz_pool_done(apr_pool_t *pool);

/* The input as a NUL-terminated string in pool (a NUL inside stays). */
char *fuzz_cstr(apr_pool_t *pool, const uint8_t *data, size_t size);

/* Writes bytes to this process's scratch file and returns its path. */
const char *fuzz_write_file(const void *data, size_t size);

/* The fixed test PKI, made in memory from fixed Ed25519 seeds, so that
 * every run (and every reproduction of a crash) sees the same bytes:
 *   CA     CN=cfaop fuzz CA, CA:TRUE, keyCertSign+cRLSign, serial 01
 *   leaf   CN=cfaop fuzz leaf, CA:FALSE, clientAuth, serial 0A1F, by the CA
 * both valid 2020-01-01 .. 2099-12-31. */
X509 *fuzz_ca(void);
EVP_PKEY *fuzz_ca_key(void);
X509 *fuzz_leaf(void);
const char *fuzz_ca_pem(void);         /* the CA certificate as PEM text */
const char *fuzz_ca_path(void);        /* ... and as a file */

/* Makes the CA the issuer of cert and signs it (so a mutated certificate
 * gets past the signature check and reaches what follows). 1 on success. */
int fuzz_sign_by_ca(X509 *cert);
int fuzz_sign_crl_by_ca(X509_CRL *crl);

/* A cursor over the input. */
typedef struct {
    const uint8_t *p;
    size_t left;
} fuzz_input_t;

/* The next byte, 0 once the input is used up. */
uint8_t fuzz_byte(fuzz_input_t *in);

#endif
