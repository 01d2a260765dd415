/* SPDX-License-Identifier: Apache-2.0 */
/* probe_cert.c: cfaop-probe's client TLS contexts: none, the given
 * certificate and key, or a self-signed certificate made on the fly. */
#include "probe.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#include <openssl/ec.h>
#endif

/* OpenSSL's queued errors as one line after what: "what: reason; reason". */
void probe_ssl_errors(char *err, size_t errlen, const char *what)
{
    unsigned long e;
    size_t used;
    int first = 1;

    snprintf(err, errlen, "%s", what);
    while ((e = ERR_get_error()) != 0) {
        char one[160];
        const char *reason = ERR_reason_error_string(e);

        if (reason)
            snprintf(one, sizeof(one), "%s", reason);
        else
            ERR_error_string_n(e, one, sizeof(one));
        used = strlen(err);
        if (used + 3 < errlen)
            snprintf(err + used, errlen - used, "%s%s", first ? ": " : "; ", one);
        first = 0;
    }
    if (first) {
        used = strlen(err);
        snprintf(err + used, errlen - used, ": failed");
    }
}

/* Never ask for a passphrase on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

/* A client context: TLS 1.2 and 1.3 (or only tls_version, 12 or 13), the
 * server's certificate not checked (the probe tests the origin's client
 * authentication, not its server certificate). */
SSL_CTX *probe_ctx_new(int tls_version, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (!ctx) {
        probe_ssl_errors(err, errlen, "SSL_CTX_new");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, tls_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, tls_version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return ctx;
}

int probe_ctx_use_files(SSL_CTX *ctx, const char *cert, const char *key,
                        char *err, size_t errlen)
{
    char what[300];

    snprintf(what, sizeof(what), "--cert %s", cert);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        probe_ssl_errors(err, errlen, what);
        return -1;
    }
    snprintf(what, sizeof(what), "--key %s", key);
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        probe_ssl_errors(err, errlen, what);
        return -1;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        probe_ssl_errors(err, errlen, "--key does not match --cert");
        return -1;
    }
    return 0;
}

static EVP_PKEY *p256_key(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
#else
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
    EVP_PKEY *pkey = NULL;

    if (!kctx || EVP_PKEY_keygen_init(kctx) != 1
        || EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx, NID_X9_62_prime256v1) != 1
        || EVP_PKEY_CTX_set_ec_param_enc(kctx, OPENSSL_EC_NAMED_CURVE) != 1
        || EVP_PKEY_keygen(kctx, &pkey) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(kctx);
    return pkey;
#endif
}

static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ext)
        return 0;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A fresh P-256 key and a self-signed client certificate for it, valid
 * from an hour ago for a day, a random serial. */
int probe_ctx_use_selfsigned(SSL_CTX *ctx, char *err, size_t errlen)
{
    EVP_PKEY *pkey = p256_key();
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIGNUM *bn = BN_new();
    unsigned char serial[9];
    int ok = 0;

    if (!pkey || !x || !name || !bn)
        goto out;
    if (RAND_bytes(serial, sizeof(serial)) != 1)
        goto out;
    serial[0] &= 0x7f;      /* positive */
    serial[0] |= 0x40;      /* and of full length */
    if (!BN_bin2bn(serial, sizeof(serial), bn) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
        goto out;
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                    (const unsigned char *)"cfaop-probe", -1, -1, 0)
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       (const unsigned char *)"cfaop-probe self-signed", -1, -1, 0))
        goto out;
    if (X509_set_version(x, 2) != 1
        || !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name)
        || !X509_gmtime_adj(X509_getm_notBefore(x), -3600)
        || !X509_gmtime_adj(X509_getm_notAfter(x), 86400)
        || X509_set_pubkey(x, pkey) != 1
        || !add_ext(x, NID_basic_constraints, "critical,CA:FALSE")
        || !add_ext(x, NID_key_usage, "critical,digitalSignature")
        || !add_ext(x, NID_ext_key_usage, "clientAuth")
        || X509_sign(x, pkey, EVP_sha256()) <= 0)
        goto out;
    if (SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, pkey) != 1)
        goto out;
    ok = 1;
out:
    if (!ok)
        probe_ssl_errors(err, errlen, "self-signed certificate");
    BN_free(bn);
    X509_NAME_free(name);
    X509_free(x);
    EVP_PKEY_free(pkey);
    return ok ? 0 : -1;
}
