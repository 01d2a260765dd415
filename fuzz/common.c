/* SPDX-License-Identifier: Apache-2.0 */
/* common.c: APR and OpenSSL set-up for the fuzz targets, the pool shim that
 * makes pool memory visible to ASan, and the in-memory test PKI. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "common.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "\nFUZZ_ASSERT failed at %s:%d: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

/* ---- the pool shim ---------------------------------------------------
 *
 * APR carves many allocations out of one block, so ASan sees neither an
 * overflow from one allocation into the next nor a use of memory after its
 * pool was cleared. These binaries define apr_palloc themselves (libapr's
 * own calls go through the PLT too, so apr_pstrdup, apr_array_push and
 * apr_hash_set come here as well): every allocation is a malloc of its own,
 * listed under its pool and freed by a cleanup registered at the pool's
 * first allocation. That cleanup is the pool's first, so it runs last,
 * after every cleanup that may still read the pool's memory. apr_psprintf
 * does not use apr_palloc; its text stays in APR's blocks.
 * FUZZ_NO_POOL_SHIM=1 in the environment hands everything to libapr. */

typedef struct shim_block {
    struct shim_block *next;
    size_t size;                        /* keeps the data 16-byte aligned */
} shim_block_t;

typedef struct {
    apr_pool_t *pool;
    shim_block_t *head;
} shim_pool_t;

#define SHIM_POOLS 1024

static shim_pool_t shim_pools[SHIM_POOLS];
static int shim_off = -1;
static void *(*real_palloc)(apr_pool_t *, apr_size_t);

static shim_pool_t *shim_find(apr_pool_t *pool)
{
    size_t i;

    for (i = 0; i < SHIM_POOLS; i++)
        if (shim_pools[i].pool == pool)
            return &shim_pools[i];
    return NULL;
}

static apr_status_t shim_cleanup(void *data)
{
    shim_pool_t *entry = shim_find(data);
    shim_block_t *block, *next;

    if (entry == NULL)
        return APR_SUCCESS;
    block = entry->head;
    entry->pool = NULL;
    entry->head = NULL;
    for (; block != NULL; block = next) {
        next = block->next;
        free(block);
    }
    return APR_SUCCESS;
}

void *apr_palloc(apr_pool_t *pool, apr_size_t size)
{
    shim_pool_t *entry;
    shim_block_t *block;

    if (shim_off < 0) {
        const char *env = getenv("FUZZ_NO_POOL_SHIM");
        shim_off = env != NULL && *env != '\0' && *env != '0';
    }
    if (shim_off) {
        if (real_palloc == NULL)
            real_palloc = (void *(*)(apr_pool_t *, apr_size_t))dlsym(RTLD_NEXT, "apr_palloc");
        return real_palloc(pool, size);
    }
    if ((entry = shim_find(pool)) == NULL) {
        if ((entry = shim_find(NULL)) == NULL)
            fuzz_fail(__FILE__, __LINE__, "more than SHIM_POOLS pools alive");
        entry->pool = pool;
        entry->head = NULL;
        /* Allocates its cleanup record through here: the entry exists. */
        apr_pool_cleanup_register(pool, pool, shim_cleanup, apr_pool_cleanup_null);
    }
    if ((block = malloc(sizeof(*block) + size)) == NULL)
        return NULL;
    block->size = size;
    block->next = entry->head;
    entry->head = block;
    return block + 1;
}

#undef apr_pcalloc
void *apr_pcalloc(apr_pool_t *pool, apr_size_t size)
{
    void *mem = apr_palloc(pool, size);

    return mem != NULL ? memset(mem, 0, size) : NULL;
}

/* ---- pools and files -------------------------------------------------- */

static apr_pool_t *global_pool;
static char scratch_dir[256];
static char scratch_file[300];

apr_pool_t *fuzz_global_pool(void)
{
    return global_pool;
}

apr_pool_t *fuzz_pool_new(void)
{
    apr_pool_t *pool;

    if (apr_pool_create(&pool, global_pool) != APR_SUCCESS)
        fuzz_fail(__FILE__, __LINE__, "apr_pool_create");
    return pool;
}

void fuzz_pool_done(apr_pool_t *pool)
{
    apr_pool_destroy(pool);
    ERR_clear_error();
}

char *fuzz_cstr(apr_pool_t *pool, const uint8_t *data, size_t size)
{
    char *s = apr_palloc(pool, size + 1);

    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static void remove_scratch(void)
{
    char path[400];

    if (scratch_dir[0] == '\0')
        return;
    snprintf(path, sizeof(path), "%s/ca.pem", scratch_dir);
    unlink(path);
    unlink(scratch_file);
    rmdir(scratch_dir);
}

static void make_scratch(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

    snprintf(scratch_dir, sizeof(scratch_dir), "%s/cfaop-fuzz.XXXXXX",
             base != NULL && *base != '\0' ? base : "/tmp");
    if (mkdtemp(scratch_dir) == NULL)
        fuzz_fail(__FILE__, __LINE__, "mkdtemp");
    snprintf(scratch_file, sizeof(scratch_file), "%s/input", scratch_dir);
    atexit(remove_scratch);
}

const char *fuzz_write_file(const void *data, size_t size)
{
    FILE *f = fopen(scratch_file, "wb");

    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail(__FILE__, __LINE__, "cannot write the scratch file");
    return scratch_file;
}

uint8_t fuzz_byte(fuzz_input_t *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

/* ---- the test PKI ----------------------------------------------------- */

static EVP_PKEY *ca_key, *leaf_key;
static X509 *ca_cert, *leaf_cert;
static char *ca_pem;
static char ca_path[400];

static EVP_PKEY *key_from_seed(unsigned char fill)
{
    unsigned char seed[32];
    EVP_PKEY *key;

    memset(seed, fill, sizeof(seed));
    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
    if (key == NULL)
        fuzz_fail(__FILE__, __LINE__, "Ed25519 key");
    return key;
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL
        || !X509_add_ext(cert, ext, -1))
        fuzz_fail(__FILE__, __LINE__, "certificate extension");
    X509_EXTENSION_free(ext);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer,
                       EVP_PKEY *issuer_key)
{
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();

    if (cert == NULL || name == NULL
        || !X509_set_version(cert, 2)
        || !ASN1_INTEGER_set(X509_get_serialNumber(cert), serial)
        || !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                       (const unsigned char *)"mod_cf_aop fuzz", -1, -1, 0)
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const unsigned char *)cn, -1, -1, 0)
        || !X509_set_subject_name(cert, name)
        || !X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name)
        || !ASN1_TIME_set_string_X509(X509_getm_notBefore(cert), "20200101000000Z")
        || !ASN1_TIME_set_string_X509(X509_getm_notAfter(cert), "20991231235959Z")
        || !X509_set_pubkey(cert, key))
        fuzz_fail(__FILE__, __LINE__, "certificate fields");
    X509_NAME_free(name);
    if (issuer == NULL) {
        add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_ext(cert, cert, NID_subject_key_identifier, "hash");
    }
    else {
        add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, issuer, NID_key_usage, "critical,digitalSignature");
        add_ext(cert, issuer, NID_ext_key_usage, "clientAuth");
        add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always");
    }
    if (X509_sign(cert, issuer_key, NULL) <= 0)
        fuzz_fail(__FILE__, __LINE__, "X509_sign");
    return cert;
}

static char *to_pem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *out;
    long len;

    if (bio == NULL || !PEM_write_bio_X509(bio, cert))
        fuzz_fail(__FILE__, __LINE__, "PEM_write_bio_X509");
    len = BIO_get_mem_data(bio, &data);
    out = malloc((size_t)len + 1);
    memcpy(out, data, (size_t)len);
    out[len] = '\0';
    BIO_free(bio);
    return out;
}

/* FUZZ_WRITE_FIXTURES=DIR: the fixtures as files, for making seeds. */
static void write_fixtures(const char *dir)
{
    struct { const char *name; X509 *cert; int pem; } files[] = {
        { "ca.pem", NULL, 1 }, { "ca.der", NULL, 0 }, { "leaf.pem", NULL, 1 }, { "leaf.der", NULL, 0 },
    };
    size_t i;

    files[0].cert = files[1].cert = ca_cert;
    files[2].cert = files[3].cert = leaf_cert;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        if ((f = fopen(path, "wb")) == NULL)
            fuzz_fail(__FILE__, __LINE__, "cannot write a fixture");
        if (files[i].pem)
            PEM_write_X509(f, files[i].cert);
        else
            i2d_X509_fp(f, files[i].cert);
        fclose(f);
    }
}

void fuzz_init(void)
{
    const char *fixtures = getenv("FUZZ_WRITE_FIXTURES");
    FILE *f;

    if (global_pool != NULL)
        return;
    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&global_pool, NULL) != APR_SUCCESS)
        fuzz_fail(__FILE__, __LINE__, "APR");
    make_scratch();
    ca_key = key_from_seed(0xCA);
    leaf_key = key_from_seed(0x1E);
    ca_cert = make_cert(ca_key, "cfaop fuzz CA", 1, NULL, ca_key);
    leaf_cert = make_cert(leaf_key, "cfaop fuzz leaf", 0x0A1F, ca_cert, ca_key);
    ca_pem = to_pem(ca_cert);
    snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", scratch_dir);
    if ((f = fopen(ca_path, "w")) == NULL || fputs(ca_pem, f) < 0 || fclose(f) != 0)
        fuzz_fail(__FILE__, __LINE__, "cannot write the CA file");
    if (fixtures != NULL && *fixtures != '\0')
        write_fixtures(fixtures);
    ERR_clear_error();
}

X509 *fuzz_ca(void) { return ca_cert; }
EVP_PKEY *fuzz_ca_key(void) { return ca_key; }
X509 *fuzz_leaf(void) { return leaf_cert; }
const char *fuzz_ca_pem(void) { return ca_pem; }
const char *fuzz_ca_path(void) { return ca_path; }

int fuzz_sign_by_ca(X509 *cert)
{
    int at, had_akid = 0, ok;

    /* An authorityKeyIdentifier naming the old issuer's key would make
     * OpenSSL pass over the CA: point it at the CA's key instead. */
    while ((at = X509_get_ext_by_NID(cert, NID_authority_key_identifier, -1)) >= 0) {
        X509_EXTENSION_free(X509_delete_ext(cert, at));
        had_akid = 1;
    }
    if (had_akid) {
        X509V3_CTX ctx;
        X509_EXTENSION *ext;

        X509V3_set_ctx(&ctx, ca_cert, cert, NULL, NULL, 0);
        if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always")) != NULL) {
            X509_add_ext(cert, ext, -1);
            X509_EXTENSION_free(ext);
        }
    }
    ok = X509_set_issuer_name(cert, X509_get_subject_name(ca_cert))
         && X509_sign(cert, ca_key, NULL) > 0;
    ERR_clear_error();
    return ok;
}

int fuzz_sign_crl_by_ca(X509_CRL *crl)
{
    int ok = X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca_cert))
             && X509_CRL_sign(crl, ca_key, NULL) > 0;

    ERR_clear_error();
    return ok;
}
