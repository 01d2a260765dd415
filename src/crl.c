/* SPDX-License-Identifier: Apache-2.0 */
/* crl.c: reading and verifying CRLs once, keeping only their issuers'
 * identities and revoked serials; the per-handshake chain lookup. */
#include "crl.h"
#include "certinfo.h"
#include "pin.h"
#include "readfile.h"

#include <limits.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>        /* malloc_trim */
#endif
#include <apr_file_info.h>
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* One CRL issuer: a name and a key (a CA re-issued with both kept is the
 * same issuer), and everything its CRLs revoke. */
typedef struct {
    X509_NAME *name;
    unsigned char spki[CFAOP_PIN_LEN];
    const char *dn;
    cfaop_serialset_t *revoked;
    STACK_OF(X509) *seen;       /* the certificates that signed its CRLs:
                                   a chain through one of them is matched
                                   without digesting its key */
} crl_issuer_t;

/* Which issuer's key verified one loaded CRL, and in which file. */
typedef struct {
    const crl_issuer_t *issuer;
    int file;                           /* into cfaop_revocation.file_certs */
} crl_signer_t;

struct cfaop_revocation {
    apr_pool_t *pool;
    apr_array_header_t *issuers;        /* crl_issuer_t * */
    apr_array_header_t *crls;           /* cfaop_crl_info_t */
    apr_array_header_t *signers;        /* crl_signer_t, one per CRL loaded from a file */
    apr_array_header_t *file_certs;     /* STACK_OF(X509) *: each file's certificates */
    int frozen;
};

/* A CRL of some 30 million entries; a bigger file is a mistake. */
#define CFAOP_CRL_FILE_MAX ((apr_size_t)1024 * 1024 * 1024)

/* What one file holds while it is checked (freed with the scratch pool). */
typedef struct {
    STACK_OF(X509_CRL) *crls;
    STACK_OF(X509) *certs;
} crl_file_t;

static apr_status_t free_issuer(void *data)
{
    crl_issuer_t *issuer = data;

    X509_NAME_free(issuer->name);
    sk_X509_pop_free(issuer->seen, X509_free);
    return APR_SUCCESS;
}

static int issuer_saw(const crl_issuer_t *issuer, X509 *cert)
{
    int i;

    for (i = 0; i < sk_X509_num(issuer->seen); i++) {
        X509 *seen = sk_X509_value(issuer->seen, i);
        if (seen == cert || X509_cmp(seen, cert) == 0)
            return 1;
    }
    return 0;
}

static apr_status_t free_file(void *data)
{
    crl_file_t *file = data;

    sk_X509_CRL_pop_free(file->crls, X509_CRL_free);
    sk_X509_pop_free(file->certs, X509_free);
    return APR_SUCCESS;
}

static apr_status_t free_certs(void *data)
{
    sk_X509_pop_free(data, X509_free);
    return APR_SUCCESS;
}

static apr_status_t free_bio(void *data)
{
    BIO_free(data);
    return APR_SUCCESS;
}

cfaop_revocation_t *cfaop_revocation_create(apr_pool_t *pool)
{
    cfaop_revocation_t *rev = apr_pcalloc(pool, sizeof(*rev));

    rev->pool = pool;
    rev->issuers = apr_array_make(pool, 2, sizeof(crl_issuer_t *));
    rev->crls = apr_array_make(pool, 2, sizeof(cfaop_crl_info_t));
    rev->signers = apr_array_make(pool, 2, sizeof(crl_signer_t));
    rev->file_certs = apr_array_make(pool, 1, sizeof(STACK_OF(X509) *));
    return rev;
}

/* ---- reading a file ------------------------------------------------- */

static const char *read_pem_blocks(apr_pool_t *pool, const char *path, BIO *bio,
                                   crl_file_t *file, int *blocks)
{
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    const char *err = NULL;

    *blocks = 0;
    while (err == NULL && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
        const unsigned char *p = data;

        ++*blocks;
        if (strcmp(name, PEM_STRING_X509_CRL) == 0) {
            X509_CRL *crl = d2i_X509_CRL(NULL, &p, len);
            if (crl == NULL || p != data + len || !sk_X509_CRL_push(file->crls, crl)) {
                X509_CRL_free(crl);
                err = apr_psprintf(pool, "%s: PEM block #%d (X509 CRL) is not a valid CRL",
                                   path, *blocks);
            }
        }
        else if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0
                 || strcmp(name, PEM_STRING_X509_TRUSTED) == 0) {
            X509 *cert = strcmp(name, PEM_STRING_X509_TRUSTED) == 0
                         ? d2i_X509_AUX(NULL, &p, len) : d2i_X509(NULL, &p, len);
            if (cert == NULL || p != data + len || !sk_X509_push(file->certs, cert)) {
                X509_free(cert);
                err = apr_psprintf(pool, "%s: PEM block #%d (%s) is not a valid certificate",
                                   path, *blocks, name);
            }
        }
        else {
            err = apr_psprintf(pool, "%s: PEM block #%d is \"%s\"; a revocation file holds "
                               "only X509 CRL and CERTIFICATE blocks", path, *blocks, name);
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        name = header = NULL;
        data = NULL;
    }
    if (err == NULL && ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
        err = apr_psprintf(pool, "%s: PEM block #%d is malformed", path, *blocks + 1);
    ERR_clear_error();
    return err;
}

static const char *read_file(apr_pool_t *pool, apr_pool_t *scratch, const char *path,
                             crl_file_t *file)
{
    const char *err;
    char *text;
    apr_size_t len;
    int blocks;
    BIO *bio;

    if ((err = cfaop_read_stable(scratch, path, CFAOP_CRL_FILE_MAX, &text, &len)) != NULL)
        return apr_pstrdup(pool, err);
    if (len > INT_MAX || (bio = BIO_new_mem_buf(text, (int)len)) == NULL)
        return "out of memory";
    apr_pool_cleanup_register(scratch, bio, free_bio, apr_pool_cleanup_null);
    file->crls = sk_X509_CRL_new_null();
    file->certs = sk_X509_new_null();
    apr_pool_cleanup_register(scratch, file, free_file, apr_pool_cleanup_null);
    if (file->crls == NULL || file->certs == NULL)
        return "out of memory";

    if ((err = read_pem_blocks(pool, path, bio, file, &blocks)) != NULL)
        return err;
    if (blocks == 0 && len > 0) {
        /* Not PEM: one DER CRL, and nothing after it. */
        const unsigned char *der = (const unsigned char *)text;
        X509_CRL *crl = d2i_X509_CRL(NULL, &der, (long)len);

        ERR_clear_error();
        if (crl != NULL && der != (const unsigned char *)text + len) {
            X509_CRL_free(crl);
            return apr_psprintf(pool, "%s: data follows the DER CRL", path);
        }
        if (crl != NULL && !sk_X509_CRL_push(file->crls, crl)) {
            X509_CRL_free(crl);
            return "out of memory";
        }
    }
    if (sk_X509_CRL_num(file->crls) == 0)
        return apr_psprintf(pool, "%s: no CRL found (expected PEM \"BEGIN X509 CRL\" "
                            "blocks or one DER CRL)", path);
    return NULL;
}

/* ---- checking one CRL ----------------------------------------------- */

/* OpenSSL 4.0 hands out a CRL's extensions as const. */
#if OPENSSL_VERSION_NUMBER >= 0x40000000L
typedef const X509_EXTENSION crl_ext_t;
#else
typedef X509_EXTENSION crl_ext_t;
#endif

/* Why a critical extension not known here makes the CRL unusable (whose:
 * "it has", "an entry has"); NULL for one that is not critical. */
static const char *unknown_critical(apr_pool_t *pool, crl_ext_t *ext, const char *whose)
{
    char oid[80];

    if (!X509_EXTENSION_get_critical(ext))
        return NULL;
    if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 0) <= 0)
        strcpy(oid, "?");
    return apr_psprintf(pool, "%s a critical extension that is not supported (%s)", whose, oid);
}

/* NULL when the CRL's own extensions are ones this index honours. */
static const char *check_crl_extensions(apr_pool_t *pool, X509_CRL *crl)
{
    int i, n = X509_CRL_get_ext_count(crl);
    const char *why = NULL;

    for (i = 0; i < n && why == NULL; i++) {
        crl_ext_t *ext = X509_CRL_get_ext(crl, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        ISSUING_DIST_POINT *idp;
        int indirect;

        switch (nid) {
        case NID_delta_crl:
            return "it is a delta CRL; give the complete CRL";
        case NID_issuing_distribution_point:
            if ((idp = X509V3_EXT_d2i(ext)) == NULL)
                return "its issuingDistributionPoint extension does not parse";
            indirect = idp->indirectCRL;
            ISSUING_DIST_POINT_free(idp);
            if (indirect)
                return "it is an indirect CRL, which is not supported";
            break;
        case NID_authority_key_identifier:
        case NID_crl_number:
            break;
        default:
            why = unknown_critical(pool, ext, "it has");
        }
    }
    return why;
}

/* Whether the entry revokes (0: removeFromCRL), or why it cannot be used. */
static const char *check_entry(apr_pool_t *pool, X509_REVOKED *entry, int *revokes)
{
    const STACK_OF(X509_EXTENSION) *exts = X509_REVOKED_get0_extensions(entry);
    int i, n = exts ? sk_X509_EXTENSION_num(exts) : 0;

    *revokes = 1;
    for (i = 0; i < n; i++) {
        X509_EXTENSION *ext = sk_X509_EXTENSION_value(exts, i);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        ASN1_ENUMERATED *reason;
        const char *why;

        switch (nid) {
        case NID_crl_reason:
            if ((reason = X509V3_EXT_d2i(ext)) == NULL)
                return "an entry's reasonCode does not parse";
            if (ASN1_ENUMERATED_get(reason) == CRL_REASON_REMOVE_FROM_CRL)
                *revokes = 0;
            ASN1_ENUMERATED_free(reason);
            break;
        case NID_certificate_issuer:
            return "an entry names another certificate issuer (an indirect CRL), "
                   "which is not supported";
        case NID_invalidity_date:
        case NID_hold_instruction_code:
            break;
        default:
            if ((why = unknown_critical(pool, ext, "an entry has")) != NULL)
                return why;
        }
    }
    return NULL;
}

/* Does cert chain to the anchors, by signatures alone? NULL or why not. */
static const char *chains_to_anchor(X509 *cert, X509_STORE *anchors, STACK_OF(X509) *others)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    const char *why = NULL;

    if (ctx == NULL || !X509_STORE_CTX_init(ctx, anchors, cert, others)) {
        why = "out of memory";
    }
    else {
        /* Every anchor is trusted on its own, as in the policy; the dates
         * of a CRL issuer do not decide whether its CRL is authentic. */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
        if (X509_verify_cert(ctx) != 1)
            why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return why;
}

static int signs(X509 *cert, X509_CRL *crl)
{
    EVP_PKEY *key = X509_get0_pubkey(cert);
    int ok;

    if (key == NULL || X509_NAME_cmp(X509_get_subject_name(cert), X509_CRL_get_issuer(crl)) != 0)
        return 0;
    ok = X509_CRL_verify(crl, key) == 1;
    ERR_clear_error();
    return ok;
}

/* Whether a key is the one that verified a CRL: by its signature, or, for
 * a CRL already verified, by the digest of the key that verified it. */
typedef int key_test_fn(X509 *cert, const void *arg);

static int signs_crl(X509 *cert, const void *crl)
{
    return signs(cert, (X509_CRL *)crl);
}

static int has_spki(X509 *cert, const void *spki)
{
    unsigned char digest[CFAOP_PIN_LEN];

    return cfaop_spki_sha256(cert, digest) && memcmp(digest, spki, CFAOP_PIN_LEN) == 0;
}

/* The first anchor named issuer whose key passes test; *named counts the
 * anchors of that name looked at. */
static X509 *first_anchor(X509_STORE *anchors, const X509_NAME *issuer, key_test_fn *test,
                          const void *arg, int *named)
{
    X509 *cert, *found = NULL;
    int i;
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
    /* A copy (the store's own list is deprecated in 4.0); the certificates
     * stay held by the store after the copy is freed. */
    STACK_OF(X509_OBJECT) *objects = X509_STORE_get1_objects(anchors);
#else
    STACK_OF(X509_OBJECT) *objects = X509_STORE_get0_objects(anchors);
#endif

    for (i = 0; objects != NULL && i < sk_X509_OBJECT_num(objects) && found == NULL; i++) {
        cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
        if (cert == NULL || X509_NAME_cmp(X509_get_subject_name(cert), issuer) != 0)
            continue;
        ++*named;
        if (test(cert, arg))
            found = cert;
    }
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
    sk_X509_OBJECT_pop_free(objects, X509_OBJECT_free);
#endif
    return found;
}

/* The certificate that signed crl: an anchor, or a certificate of the
 * file that chains to the anchors. NULL and *why when there is none. */
static X509 *find_signer(apr_pool_t *pool, X509_CRL *crl, X509_STORE *anchors,
                         STACK_OF(X509) *file_certs, const char **why)
{
    const X509_NAME *issuer = X509_CRL_get_issuer(crl);
    int i, named = 0;
    X509 *cert, *found;

    *why = NULL;
    if ((found = first_anchor(anchors, issuer, signs_crl, crl, &named)) != NULL)
        return found;
    for (i = 0; i < sk_X509_num(file_certs); i++) {
        const char *chain_why;

        cert = sk_X509_value(file_certs, i);
        if (X509_NAME_cmp(X509_get_subject_name(cert), issuer) != 0)
            continue;
        named++;
        if (!signs(cert, crl))
            continue;
        if ((chain_why = chains_to_anchor(cert, anchors, file_certs)) == NULL)
            return cert;
        *why = apr_psprintf(pool, "it is signed by a certificate in the file that does not "
                            "chain to a trusted anchor (%s)", chain_why);
    }
    if (*why == NULL)
        *why = named == 0
               ? "its issuer is neither a trusted anchor (CFAOPTrustedCA) nor a certificate "
                 "in the file that chains to one"
               : "its signature does not verify with the key of any trusted anchor or "
                 "certificate in the file of that name";
    return NULL;
}

/* The issuer of that name and key in rev, added if it is new. */
static crl_issuer_t *issuer_named(cfaop_revocation_t *rev, const X509_NAME *name,
                                  const unsigned char spki[CFAOP_PIN_LEN])
{
    crl_issuer_t *issuer;
    int i;

    for (i = 0; i < rev->issuers->nelts; i++) {
        issuer = APR_ARRAY_IDX(rev->issuers, i, crl_issuer_t *);
        if (X509_NAME_cmp(issuer->name, name) == 0
            && memcmp(issuer->spki, spki, CFAOP_PIN_LEN) == 0)
            return issuer;
    }
    issuer = apr_pcalloc(rev->pool, sizeof(*issuer));
    apr_pool_cleanup_register(rev->pool, issuer, free_issuer, apr_pool_cleanup_null);
    /* OpenSSL 1.1.1's X509_NAME_dup takes its argument as non-const. */
    if ((issuer->name = X509_NAME_dup((X509_NAME *)name)) == NULL
        || (issuer->seen = sk_X509_new_null()) == NULL)
        return NULL;
    memcpy(issuer->spki, spki, CFAOP_PIN_LEN);
    issuer->dn = cfaop_format_dn(rev->pool, issuer->name);
    issuer->revoked = cfaop_serialset_create(rev->pool);
    APR_ARRAY_PUSH(rev->issuers, crl_issuer_t *) = issuer;
    return issuer;
}

static int issuer_add_seen(crl_issuer_t *issuer, X509 *signer)
{
    if (issuer_saw(issuer, signer))
        return 1;
    if (!X509_up_ref(signer))
        return 0;
    if (!sk_X509_push(issuer->seen, signer)) {
        X509_free(signer);
        return 0;
    }
    return 1;
}

static crl_issuer_t *issuer_for(cfaop_revocation_t *rev, X509 *signer)
{
    unsigned char spki[CFAOP_PIN_LEN];
    crl_issuer_t *issuer;

    if (!cfaop_spki_sha256(signer, spki)
        || (issuer = issuer_named(rev, X509_get_subject_name(signer), spki)) == NULL
        || !issuer_add_seen(issuer, signer))
        return NULL;
    return issuer;
}

static time_t asn1_to_time(const ASN1_TIME *when)
{
    time_t t = 0;

    /* 0 is "no nextUpdate"; a real one is never the epoch itself. */
    return cfaop_time_epoch(when, &t) && t > 0 ? t : 1;
}

static const char *add_crl(cfaop_revocation_t *rev, X509_CRL *crl, X509 *signer,
                           cfaop_crl_info_t *info, int file)
{
    crl_signer_t *record;
    STACK_OF(X509_REVOKED) *entries = X509_CRL_get_REVOKED(crl);
    crl_issuer_t *issuer = issuer_for(rev, signer);
    int i, n = entries ? sk_X509_REVOKED_num(entries) : 0;

    if (issuer == NULL)
        return "out of memory";
    info->entries = 0;
    for (i = 0; i < n; i++) {
        X509_REVOKED *entry = sk_X509_REVOKED_value(entries, i);
        cfaop_serial_t serial;
        const char *why;
        int revokes;

        if ((why = check_entry(rev->pool, entry, &revokes)) != NULL)
            return why;
        if (!revokes)
            continue;
        if (!cfaop_serial_from_asn1(X509_REVOKED_get0_serialNumber(entry), &serial))
            return apr_psprintf(rev->pool, "entry #%d has a serial number longer than 20 "
                                "octets (the RFC 5280 limit)", i + 1);
        if ((why = cfaop_serialset_add(issuer->revoked, &serial)) != NULL)
            return why;
        info->entries++;
    }
    record = apr_array_push(rev->signers);
    record->issuer = issuer;
    record->file = file;
    return NULL;
}

const char *cfaop_revocation_load_file(cfaop_revocation_t *rev, const char *path,
                                       X509_STORE *anchors)
{
    apr_pool_t *scratch;
    crl_file_t *file;
    const char *err = NULL;
    int i, n;

    if (rev->frozen)
        return "the revocation index is already built";
    if (apr_pool_create(&scratch, rev->pool) != APR_SUCCESS)
        return "out of memory";
    file = apr_pcalloc(scratch, sizeof(*file));
    if ((err = read_file(rev->pool, scratch, path, file)) != NULL)
        goto done;

    n = sk_X509_CRL_num(file->crls);
    for (i = 0; i < n && err == NULL; i++) {
        X509_CRL *crl = sk_X509_CRL_value(file->crls, i);
        cfaop_crl_info_t info;
        const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
        const char *why;
        X509 *signer;

        memset(&info, 0, sizeof(info));
        info.source = path;
        info.index = i + 1;
        info.issuer_dn = cfaop_format_dn(rev->pool, X509_CRL_get_issuer(crl));
        info.next_update = next != NULL ? asn1_to_time(next) : 0;
        info.next_update_text = next != NULL ? cfaop_format_time(rev->pool, next) : "";

        if ((why = check_crl_extensions(rev->pool, crl)) == NULL) {
            signer = find_signer(rev->pool, crl, anchors, file->certs, &why);
            if (signer != NULL && !(X509_get_key_usage(signer) & KU_CRL_SIGN))
                why = apr_psprintf(rev->pool, "its signer \"%s\" has a keyUsage without cRLSign",
                                   cfaop_format_dn(rev->pool, X509_get_subject_name(signer)));
            else if (signer != NULL)
                why = add_crl(rev, crl, signer, &info, (int)rev->file_certs->nelts);
        }
        if (why != NULL) {
            err = n == 1
                  ? apr_psprintf(rev->pool, "%s: the CRL issued by \"%s\": %s",
                                 path, info.issuer_dn, why)
                  : apr_psprintf(rev->pool, "%s: CRL #%d, issued by \"%s\": %s",
                                 path, i + 1, info.issuer_dn, why);
            break;
        }
        APR_ARRAY_PUSH(rev->crls, cfaop_crl_info_t) = info;
    }
    if (err == NULL) {
        /* The file's certificates (a few intermediates at most) stay, for
         * cfaop_revocation_accepted_by. */
        apr_pool_cleanup_register(rev->pool, file->certs, free_certs, apr_pool_cleanup_null);
        APR_ARRAY_PUSH(rev->file_certs, STACK_OF(X509) *) = file->certs;
        file->certs = NULL;
    }
done:
    /* Frees every CRL read: only the serial sets stay. */
    apr_pool_destroy(scratch);
    ERR_clear_error();
#ifdef __GLIBC__
    /* A large CRL leaves hundreds of MiB of small freed blocks under the
     * sets allocated meanwhile; hand them back rather than keep them in
     * the parent (and in every child forked from it). */
    malloc_trim(0);
#endif
    return err;
}

const char *cfaop_revocation_add_all(cfaop_revocation_t *rev, const cfaop_revocation_t *from)
{
    const char *err;
    int i, j;

    if (rev->frozen)
        return "the revocation index is already built";
    for (i = 0; i < from->issuers->nelts; i++) {
        const crl_issuer_t *source = APR_ARRAY_IDX(from->issuers, i, crl_issuer_t *);
        crl_issuer_t *issuer = issuer_named(rev, source->name, source->spki);

        if (issuer == NULL)
            return "out of memory";
        for (j = 0; j < sk_X509_num(source->seen); j++)
            if (!issuer_add_seen(issuer, sk_X509_value(source->seen, j)))
                return "out of memory";
        if ((err = cfaop_serialset_include(issuer->revoked, source->revoked)) != NULL)
            return err;
    }
    for (i = 0; i < from->crls->nelts; i++)
        APR_ARRAY_PUSH(rev->crls, cfaop_crl_info_t) = APR_ARRAY_IDX(from->crls, i, cfaop_crl_info_t);
    return NULL;
}

int cfaop_revocation_accepted_by(const cfaop_revocation_t *rev, X509_STORE *anchors)
{
    int i, j, named = 0;

    for (i = 0; i < rev->signers->nelts; i++) {
        const crl_signer_t *record = &APR_ARRAY_IDX(rev->signers, i, crl_signer_t);
        STACK_OF(X509) *file_certs = APR_ARRAY_IDX(rev->file_certs, record->file, STACK_OF(X509) *);
        const crl_issuer_t *issuer = record->issuer;
        X509 *signer = first_anchor(anchors, issuer->name, has_spki, issuer->spki, &named);

        /* find_signer's order: the anchors, then the file's certificates
         * that chain to them; only that key verifies the CRL's signature. */
        for (j = 0; signer == NULL && j < sk_X509_num(file_certs); j++) {
            X509 *cert = sk_X509_value(file_certs, j);
            if (X509_NAME_cmp(X509_get_subject_name(cert), issuer->name) == 0
                && has_spki(cert, issuer->spki) && chains_to_anchor(cert, anchors, file_certs) == NULL)
                signer = cert;
        }
        if (signer == NULL || !(X509_get_key_usage(signer) & KU_CRL_SIGN)) {
            ERR_clear_error();
            return 0;
        }
    }
    ERR_clear_error();
    return 1;
}

const char *cfaop_revocation_freeze(cfaop_revocation_t *rev)
{
    int i;
    const char *err;

    for (i = 0; i < rev->issuers->nelts; i++) {
        crl_issuer_t *issuer = APR_ARRAY_IDX(rev->issuers, i, crl_issuer_t *);
        if ((err = cfaop_serialset_freeze(issuer->revoked)) != NULL)
            return err;
    }
    rev->frozen = 1;
    return NULL;
}

/* ---- the handshake -------------------------------------------------- */

int cfaop_revocation_check(const cfaop_revocation_t *rev, STACK_OF(X509) *chain)
{
    int i, j, n = chain ? sk_X509_num(chain) : 0;

    if (rev == NULL || rev->issuers->nelts == 0)
        return -1;
    for (i = 0; i + 1 < n; i++) {
        X509 *cert = sk_X509_value(chain, i), *issuer_cert = sk_X509_value(chain, i + 1);
        const X509_NAME *name = X509_get_subject_name(issuer_cert);
        unsigned char spki[CFAOP_PIN_LEN];
        int have_spki = 0;

        for (j = 0; j < rev->issuers->nelts; j++) {
            const crl_issuer_t *issuer = APR_ARRAY_IDX(rev->issuers, j, crl_issuer_t *);

            if (X509_NAME_cmp(issuer->name, name) != 0)
                continue;
            /* The usual case: the chain ends in the very anchor (or
             * intermediate) that signed the CRL. */
            if (issuer_saw(issuer, issuer_cert)) {
                if (cfaop_serialset_contains_cert(issuer->revoked, cert))
                    return i;
                continue;
            }
            if (!have_spki) {
                /* Cannot tell which key: fail closed. */
                if (!cfaop_spki_sha256(issuer_cert, spki))
                    return i;
                have_spki = 1;
            }
            if (memcmp(issuer->spki, spki, sizeof(spki)) == 0
                && cfaop_serialset_contains_cert(issuer->revoked, cert))
                return i;
        }
    }
    return -1;
}

/* ---- reporting ------------------------------------------------------ */

const apr_array_header_t *cfaop_revocation_crls(const cfaop_revocation_t *rev)
{
    return rev->crls;
}

apr_size_t cfaop_revocation_count(const cfaop_revocation_t *rev)
{
    apr_size_t total = 0;
    int i;

    for (i = 0; rev != NULL && i < rev->issuers->nelts; i++)
        total += cfaop_serialset_count(APR_ARRAY_IDX(rev->issuers, i, crl_issuer_t *)->revoked);
    return total;
}

apr_array_header_t *cfaop_revocation_stale(const cfaop_revocation_t *rev,
                                           apr_pool_t *pool, time_t now)
{
    apr_array_header_t *out = apr_array_make(pool, 1, sizeof(const char *));
    int i;

    for (i = 0; rev != NULL && i < rev->crls->nelts; i++) {
        const cfaop_crl_info_t *info = &APR_ARRAY_IDX(rev->crls, i, cfaop_crl_info_t);
        if (info->next_update != 0 && info->next_update < now)
            APR_ARRAY_PUSH(out, const char *) =
                apr_psprintf(pool, "%s: the CRL issued by \"%s\" is past its nextUpdate (%s); "
                             "it is still applied: replace it with a current one",
                             info->source, info->issuer_dn, info->next_update_text);
    }
    return out;
}

time_t cfaop_revocation_next_update(const cfaop_revocation_t *rev)
{
    time_t earliest = 0;
    int i;

    for (i = 0; rev != NULL && i < rev->crls->nelts; i++) {
        time_t t = APR_ARRAY_IDX(rev->crls, i, cfaop_crl_info_t).next_update;
        if (t != 0 && (earliest == 0 || t < earliest))
            earliest = t;
    }
    return earliest;
}
