/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_crl.c: CFAOPRevocationFile contents through cfaop_revocation_load_file
 * (the only entry point: it reads a path, so each input is written to a
 * scratch file first). Mode byte: bit 0 re-signs a CRL that parses with
 * the fuzz CA, so that mutated entries and extensions get past the
 * signature check into the index; bit 1 writes it as PEM, bit 2 adds a
 * CERTIFICATE block (an intermediate the CRL may be signed by). Then the
 * index is frozen and a chain checked against it. */
#include <string.h>
#include <time.h>
#include <apr_strings.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common.h"
#include "crl.h"
#include "serial.h"
#include "serialset.h"

static X509_STORE *anchors;
static STACK_OF(X509) *chain;          /* leaf, CA */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    anchors = X509_STORE_new();
    chain = sk_X509_new_null();
    if (anchors == NULL || chain == NULL || !X509_STORE_add_cert(anchors, fuzz_ca())
        || !sk_X509_push(chain, fuzz_leaf()) || !sk_X509_push(chain, fuzz_ca()))
        fuzz_fail(__FILE__, __LINE__, "set-up");
    return 0;
}

/* The file's bytes: the input as it is, or a CRL that parses re-signed. */
static const char *make_file(const uint8_t mode, const uint8_t *data, size_t size, X509_CRL **kept)
{
    const unsigned char *p = data;
    X509_CRL *crl;
    BIO *bio;
    char *bytes = NULL;
    long len;
    const char *path;

    *kept = NULL;
    if (!(mode & 1) || (crl = d2i_X509_CRL(NULL, &p, (long)size)) == NULL)
        return fuzz_write_file(data, size);
    if (!fuzz_sign_crl_by_ca(crl)) {
        X509_CRL_free(crl);
        return fuzz_write_file(data, size);
    }
    bio = BIO_new(BIO_s_mem());
    FUZZ_ASSERT(bio != NULL);
    if (mode & 4)
        PEM_write_bio_X509(bio, fuzz_leaf());
    if (mode & 2)
        PEM_write_bio_X509_CRL(bio, crl);
    else
        i2d_X509_CRL_bio(bio, crl);
    len = BIO_get_mem_data(bio, &bytes);
    path = fuzz_write_file(bytes, (size_t)len);
    BIO_free(bio);
    *kept = crl;
    return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    fuzz_input_t in = { data, size };
    uint8_t mode = fuzz_byte(&in);
    cfaop_revocation_t *rev = cfaop_revocation_create(pool);
    X509_CRL *crl = NULL;
    const char *path = make_file(mode, in.p, in.left, &crl);
    const char *err = cfaop_revocation_load_file(rev, path, anchors);
    const apr_array_header_t *crls = cfaop_revocation_crls(rev);
    int i, revoked;

    FUZZ_ASSERT(err == NULL || *err != '\0');
    FUZZ_ASSERT(cfaop_revocation_freeze(rev) == NULL);
    revoked = cfaop_revocation_check(rev, chain);
    FUZZ_ASSERT(revoked == -1 || revoked == 0);
    for (i = 0; i < crls->nelts; i++) {
        const cfaop_crl_info_t *info = &APR_ARRAY_IDX(crls, i, cfaop_crl_info_t);
        FUZZ_ASSERT(info->source != NULL && info->issuer_dn != NULL && info->next_update_text != NULL);
    }
    (void)cfaop_revocation_stale(rev, pool, time(NULL));
    (void)cfaop_revocation_next_update(rev);
    (void)cfaop_revocation_count(rev);

    if (err == NULL && crl != NULL) {
        /* A re-signed CRL that loaded: the leaf is revoked exactly when an
         * entry of the CRL names its serial without removeFromCRL. */
        STACK_OF(X509_REVOKED) *entries = X509_CRL_get_REVOKED(crl);
        cfaop_serial_t leaf_serial, entry_serial;
        int listed = 0;

        FUZZ_ASSERT(cfaop_serial_from_asn1(X509_get0_serialNumber(fuzz_leaf()), &leaf_serial));
        for (i = 0; i < sk_X509_REVOKED_num(entries); i++) {
            X509_REVOKED *entry = sk_X509_REVOKED_value(entries, i);
            int removed = 0, at = -1;

            /* (A repeated reasonCode is malformed; any removeFromCRL counts.) */
            while ((at = X509_REVOKED_get_ext_by_NID(entry, NID_crl_reason, at)) >= 0) {
                ASN1_ENUMERATED *reason = X509V3_EXT_d2i(X509_REVOKED_get_ext(entry, at));
                removed |= reason != NULL && ASN1_ENUMERATED_get(reason) == CRL_REASON_REMOVE_FROM_CRL;
                ASN1_ENUMERATED_free(reason);
            }
            if (!removed && cfaop_serial_from_asn1(X509_REVOKED_get0_serialNumber(entry), &entry_serial)
                && cfaop_serial_equal(&entry_serial, &leaf_serial))
                listed = 1;
        }
        FUZZ_ASSERT(listed == (revoked == 0));
    }
    X509_CRL_free(crl);
    fuzz_pool_done(pool);
    return 0;
}
