/* SPDX-License-Identifier: Apache-2.0 */
/* test_crl.c: revocation files (PEM, DER, several CRLs, intermediates),
 * their load-time signature checks and errors, staleness, and the chain check. */
#include "revocation_util.h"

#include <apr_strings.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "policy.h"

static const char *const REVOKE_10[] = { "10", NULL };

/* A small PKI: Root signs leaf 0x10 and 0x11 and the intermediate (serial
 * 2); the intermediate signs leaf 0x20 and 0x21. */
typedef struct {
    tu_cred_t root, inter;
    tu_cred_t leaf10, leaf11, leaf20, leaf21;
} pki_t;

static pki_t pki(void)
{
    time_t now = time(NULL);
    pki_t p;

    p.root = tu_make_ca("Root");
    p.inter = tu_make_intermediate("Inter", &p.root);
    p.leaf10 = tu_make_leaf("leaf 10", &p.root, 0x10, now - TU_DAY, now + TU_DAY);
    p.leaf11 = tu_make_leaf("leaf 11", &p.root, 0x11, now - TU_DAY, now + TU_DAY);
    p.leaf20 = tu_make_leaf("leaf 20", &p.inter, 0x20, now - TU_DAY, now + TU_DAY);
    p.leaf21 = tu_make_leaf("leaf 21", &p.inter, 0x21, now - TU_DAY, now + TU_DAY);
    return p;
}

static cfaop_revocation_t *load_ok(const char *path, X509_STORE *anchors)
{
    cfaop_revocation_t *rev = cfaop_revocation_create(tu_pool);
    const char *err = cfaop_revocation_load_file(rev, path, anchors);

    ck_assert_msg(err == NULL, "%s", err ? err : "");
    ck_assert_ptr_null(cfaop_revocation_freeze(rev));
    return rev;
}

static const char *load_err(const char *path, X509_STORE *anchors)
{
    cfaop_revocation_t *rev = cfaop_revocation_create(tu_pool);
    const char *err = cfaop_revocation_load_file(rev, path, anchors);

    ck_assert_msg(err != NULL, "%s loaded", path);
    return err;
}

START_TEST(anchor_signed_pem)
{
    pki_t p = pki();
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)), NULL);
    cfaop_revocation_t *rev = load_ok(path, rv_store(p.root.cert, NULL));
    const apr_array_header_t *crls = cfaop_revocation_crls(rev);
    const cfaop_crl_info_t *info = &APR_ARRAY_IDX(crls, 0, cfaop_crl_info_t);

    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf11.cert, p.root.cert, NULL)), -1);
    ck_assert_int_eq(crls->nelts, 1);
    ck_assert_str_eq(info->source, path);
    ck_assert_int_eq(info->index, 1);
    ck_assert_str_eq(info->issuer_dn, "CN=Root,O=Unit Test");
    ck_assert_uint_eq(info->entries, 1);
    ck_assert_uint_eq(cfaop_revocation_count(rev), 1);
}
END_TEST

START_TEST(anchor_signed_der)
{
    pki_t p = pki();
    size_t len;
    unsigned char *der = rv_crl_der(rv_crl(&p.root, REVOKE_10), &len);
    cfaop_revocation_t *rev = load_ok(tu_write_temp(der, len), rv_store(p.root.cert, NULL));

    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf11.cert, p.root.cert, NULL)), -1);
}
END_TEST

START_TEST(intermediate_signed_with_intermediate_in_file)
{
    pki_t p = pki();
    const char *const revoke_20[] = { "20", NULL };
    const char *path = rv_write_text("# the intermediate, then its CRL\n",
                                     tu_cert_pem(p.inter.cert),
                                     rv_crl_pem(rv_crl(&p.inter, revoke_20)), NULL);
    cfaop_revocation_t *rev = load_ok(path, rv_store(p.root.cert, NULL));

    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf20.cert, p.inter.cert,
                                                          p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf21.cert, p.inter.cert,
                                                          p.root.cert, NULL)), -1);
    /* Root's leaf with the same serial is another issuer's certificate. */
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
}
END_TEST

START_TEST(intermediate_that_is_an_anchor)
{
    pki_t p = pki();
    const char *const revoke_20[] = { "20", NULL };
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&p.inter, revoke_20)), NULL);
    cfaop_revocation_t *rev = load_ok(path, rv_store(p.inter.cert, NULL));

    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf20.cert, p.inter.cert, NULL)), 0);
    ck_assert_contains(load_err(path, rv_store(p.root.cert, NULL)), "neither a trusted anchor");
}
END_TEST

START_TEST(revoked_intermediate)
{
    pki_t p = pki();
    const char *const revoke_inter[] = { "02", NULL };
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&p.root, revoke_inter)), NULL);
    cfaop_revocation_t *rev = load_ok(path, rv_store(p.root.cert, NULL));

    /* The leaf is fine; the intermediate above it (chain index 1) is not. */
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf20.cert, p.inter.cert,
                                                          p.root.cert, NULL)), 1);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
}
END_TEST

START_TEST(leaf_reported_before_intermediate)
{
    pki_t p = pki();
    const char *const revoke_inter[] = { "02", NULL };
    const char *const revoke_20[] = { "20", NULL };
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&p.root, revoke_inter)),
                                     tu_cert_pem(p.inter.cert),
                                     rv_crl_pem(rv_crl(&p.inter, revoke_20)), NULL);
    cfaop_revocation_t *rev = load_ok(path, rv_store(p.root.cert, NULL));

    ck_assert_int_eq(cfaop_revocation_crls(rev)->nelts, 2);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf20.cert, p.inter.cert,
                                                          p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf21.cert, p.inter.cert,
                                                          p.root.cert, NULL)), 1);
}
END_TEST

START_TEST(several_files_merge)
{
    pki_t p = pki();
    const char *const revoke_11[] = { "11", NULL };
    const char *const revoke_21[] = { "21", NULL };
    X509_STORE *store = rv_store(p.root.cert, NULL);
    cfaop_revocation_t *rev = cfaop_revocation_create(tu_pool);

    ck_assert_ptr_null(cfaop_revocation_load_file(
        rev, rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)), NULL), store));
    /* A second CRL of the same issuer adds to its set. */
    ck_assert_ptr_null(cfaop_revocation_load_file(
        rev, rv_write_text(rv_crl_pem(rv_crl(&p.root, revoke_11)), NULL), store));
    ck_assert_ptr_null(cfaop_revocation_load_file(
        rev, rv_write_text(tu_cert_pem(p.inter.cert), rv_crl_pem(rv_crl(&p.inter, revoke_21)),
                           NULL), store));
    ck_assert_ptr_null(cfaop_revocation_freeze(rev));
    ck_assert_int_eq(cfaop_revocation_crls(rev)->nelts, 3);
    ck_assert_uint_eq(cfaop_revocation_count(rev), 3);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf11.cert, p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf21.cert, p.inter.cert,
                                                          p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf20.cert, p.inter.cert,
                                                          p.root.cert, NULL)), -1);
    /* No loading once built. */
    ck_assert_ptr_nonnull(cfaop_revocation_load_file(
        rev, rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)), NULL), store));
}
END_TEST

START_TEST(verified_chain_from_policy)
{
    pki_t p = pki();
    cfaop_anchor_set_t *anchors = NULL;
    const cfaop_anchor_set_t *sets[1];
    cfaop_policy_t *policy;
    cfaop_verdict_t verdict;
    STACK_OF(X509) *chain = NULL;
    cfaop_revocation_t *rev;
    const char *err = NULL;

    ck_assert_ptr_null(cfaop_anchor_set_load_pem(tu_pool, tu_cert_pem(p.root.cert), "root.pem",
                                                 0, &anchors));
    sets[0] = anchors;
    policy = cfaop_policy_create(tu_pool, "zone", sets, 1, 2, &err);
    ck_assert_msg(policy != NULL, "%s", err);
    rev = load_ok(rv_write_text(rv_crl_pem(rv_crl(&p.root, (const char *const[]){ "02", NULL })),
                                NULL), policy->store);

    cfaop_policy_verify_chain(policy, p.leaf20.cert, tu_stack(p.inter.cert, NULL), &verdict, &chain);
    ck_assert_int_eq(verdict.reason, CFAOP_REASON_NONE);
    ck_assert_ptr_nonnull(chain);
    tu_own_stack(chain);
    ck_assert_int_eq(sk_X509_num(chain), 3);
    ck_assert_int_eq(cfaop_revocation_check(rev, chain), 1);
}
END_TEST

START_TEST(issuer_is_name_and_key)
{
    pki_t p = pki();
    tu_cred_t impostor = tu_make_ca("Root");     /* same name, another key */
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&impostor, REVOKE_10)), NULL);
    cfaop_revocation_t *rev = load_ok(path, rv_store(p.root.cert, impostor.cert, NULL));

    /* The impostor's CRL says nothing about the real Root's leaf 0x10. */
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
    /* but applies to a chain through the impostor's key. */
    {
        time_t now = time(NULL);
        tu_cred_t leaf = tu_make_leaf("leaf 10", &impostor, 0x10, now - TU_DAY, now + TU_DAY);
        ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(leaf.cert, impostor.cert, NULL)), 0);
    }
}
END_TEST

START_TEST(reissued_issuer_same_key)
{
    pki_t p = pki();
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };
    tu_cred_t root2;
    cfaop_revocation_t *rev;

    /* The CA's certificate renewed: same name, same key, new serial. */
    o.cn = "Root";
    o.o = "Unit Test";
    o.key = p.root.key;
    o.serial = 99;
    o.not_before = now - TU_DAY;
    o.not_after = now + 3650 * TU_DAY;
    o.bc = TU_BC_CA;
    root2 = tu_make_cert(&o);
    rev = load_ok(rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)), NULL),
                  rv_store(p.root.cert, NULL));
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, root2.cert, NULL)), 0);
}
END_TEST

START_TEST(unknown_issuer_is_an_error)
{
    pki_t p = pki();
    tu_cred_t stranger = tu_make_ca("Stranger");
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&stranger, REVOKE_10)), NULL);

    ck_assert_str_eq(load_err(path, rv_store(p.root.cert, NULL)),
                     apr_psprintf(tu_pool, "%s: the CRL issued by \"CN=Stranger,O=Unit Test\": "
                                  "its issuer is neither a trusted anchor (CFAOPTrustedCA) nor a "
                                  "certificate in the file that chains to one", path));
}
END_TEST

START_TEST(intermediate_not_chaining_is_an_error)
{
    pki_t p = pki();
    tu_cred_t stranger = tu_make_ca("Stranger");
    tu_cred_t rogue = tu_make_intermediate("Rogue", &stranger);
    const char *path = rv_write_text(tu_cert_pem(rogue.cert),
                                     rv_crl_pem(rv_crl(&rogue, REVOKE_10)), NULL);
    const char *err = load_err(path, rv_store(p.root.cert, NULL));

    ck_assert_contains(err, path);
    ck_assert_contains(err, "\"CN=Rogue,O=Unit Test\"");
    ck_assert_contains(err, "does not chain to a trusted anchor");
}
END_TEST

START_TEST(bad_signature_is_an_error)
{
    pki_t p = pki();
    rv_crl_opts_t o = { 0 };
    const char *path;

    o.issuer = &p.root;
    o.sign_key = tu_new_key();
    o.serials = REVOKE_10;
    path = rv_write_text(rv_crl_pem(rv_make_crl(&o)), NULL);
    ck_assert_str_eq(load_err(path, rv_store(p.root.cert, NULL)),
                     apr_psprintf(tu_pool, "%s: the CRL issued by \"CN=Root,O=Unit Test\": its "
                                  "signature does not verify with the key of any trusted anchor "
                                  "or certificate in the file of that name", path));
}
END_TEST

START_TEST(tampered_crl_is_an_error)
{
    pki_t p = pki();
    size_t len, i;
    unsigned char *der = rv_crl_der(rv_crl(&p.root, REVOKE_10), &len);

    /* Turn the revoked serial 0x10 into 0x11 (02 01 10 in the DER). */
    for (i = 0; i + 2 < len; i++) {
        if (der[i] == 0x02 && der[i + 1] == 0x01 && der[i + 2] == 0x10) {
            der[i + 2] = 0x11;
            break;
        }
    }
    ck_assert_uint_lt(i + 2, len);
    ck_assert_contains(load_err(tu_write_temp(der, len), rv_store(p.root.cert, NULL)),
                       "its signature does not verify");
}
END_TEST

START_TEST(second_crl_named_in_error)
{
    pki_t p = pki();
    tu_cred_t stranger = tu_make_ca("Stranger");
    const char *path = rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)),
                                     rv_crl_pem(rv_crl(&stranger, REVOKE_10)), NULL);

    ck_assert_contains(load_err(path, rv_store(p.root.cert, NULL)),
                       apr_psprintf(tu_pool, "%s: CRL #2, issued by \"CN=Stranger,O=Unit Test\": ",
                                    path));
}
END_TEST

START_TEST(signer_without_crlsign)
{
    pki_t p = pki();
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };
    tu_cred_t ca;
    ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();

    o.cn = "No CRL Sign";
    o.serial = 3;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY * 30;
    o.bc = TU_BC_NONE;
    ca = tu_make_cert(&o);
    ck_assert_int_eq(ASN1_BIT_STRING_set_bit(ku, 5, 1), 1);     /* keyCertSign only */
    ck_assert_int_eq(X509_add1_ext_i2d(ca.cert, NID_key_usage, ku, 1, 0), 1);
    ck_assert_int_gt(X509_sign(ca.cert, ca.key, EVP_sha256()), 0);
    ASN1_BIT_STRING_free(ku);
    {
        /* Parsed afresh, as from a file, so no flags are cached from before. */
        size_t len;
        unsigned char *der = tu_cert_der(ca.cert, &len);
        ca.cert = tu_cert_from_der(der, len);
        ck_assert_ptr_nonnull(ca.cert);
    }
    ck_assert_contains(load_err(rv_write_text(rv_crl_pem(rv_crl(&ca, REVOKE_10)), NULL),
                                rv_store(p.root.cert, ca.cert, NULL)),
                       "its signer \"CN=No CRL Sign\" has a keyUsage without cRLSign");
}
END_TEST

START_TEST(file_errors)
{
    pki_t p = pki();
    X509_STORE *store = rv_store(p.root.cert, NULL);
    const char *missing = tu_missing_path();
    const char *certs_only = rv_write_text(tu_cert_pem(p.root.cert), NULL);
    const char *empty = rv_write_text("", NULL);
    const char *with_key = rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)),
                                         "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                         "-----END PRIVATE KEY-----\n", NULL);
    const char *broken = rv_write_text("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
                                       NULL);

    ck_assert_contains(load_err(missing, store), apr_pstrcat(tu_pool, "cannot open ", missing, NULL));
    ck_assert_str_eq(load_err(certs_only, store),
                     apr_pstrcat(tu_pool, certs_only, ": no CRL found (expected PEM \"BEGIN X509 "
                                 "CRL\" blocks or one DER CRL)", NULL));
    ck_assert_contains(load_err(empty, store), "no CRL found");
    {
        size_t len;
        unsigned char *der = rv_crl_der(rv_crl(&p.root, REVOKE_10), &len);
        unsigned char *longer = apr_palloc(tu_pool, len + 1);
        const char *trailing;

        memcpy(longer, der, len);
        longer[len] = '\n';
        trailing = tu_write_temp(longer, len + 1);
        ck_assert_str_eq(load_err(trailing, store),
                         apr_pstrcat(tu_pool, trailing, ": data follows the DER CRL", NULL));
    }
    ck_assert_str_eq(load_err(with_key, store),
                     apr_pstrcat(tu_pool, with_key, ": PEM block #2 is \"PRIVATE KEY\"; a "
                                 "revocation file holds only X509 CRL and CERTIFICATE blocks", NULL));
    ck_assert_str_eq(load_err(broken, store),
                     apr_pstrcat(tu_pool, broken, ": PEM block #1 (X509 CRL) is not a valid CRL",
                                 NULL));
}
END_TEST

START_TEST(unsupported_crls)
{
    pki_t p = pki();
    X509_STORE *store = rv_store(p.root.cert, NULL);
    rv_crl_opts_t o = { 0 };

    o.issuer = &p.root;
    o.serials = REVOKE_10;
    o.delta = 1;
    ck_assert_contains(load_err(rv_write_text(rv_crl_pem(rv_make_crl(&o)), NULL), store),
                       "it is a delta CRL");
    o.delta = 0;
    o.unknown_critical = 1;
    ck_assert_contains(load_err(rv_write_text(rv_crl_pem(rv_make_crl(&o)), NULL), store),
                       "critical extension that is not supported (1.3.6.1.4.1.55555.1.1)");
}
END_TEST

START_TEST(remove_from_crl_entry_does_not_revoke)
{
    pki_t p = pki();
    rv_crl_opts_t o = { 0 };
    cfaop_revocation_t *rev;

    o.issuer = &p.root;
    o.serials = REVOKE_10;
    o.removed = "11";
    rev = load_ok(rv_write_text(rv_crl_pem(rv_make_crl(&o)), NULL), rv_store(p.root.cert, NULL));
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf11.cert, p.root.cert, NULL)), -1);
}
END_TEST

START_TEST(serial_edge_cases)
{
    pki_t p = pki();
    time_t now = time(NULL);
    tu_cert_opts_t o = { 0 };
    const char *const entries[] = { "-10", "00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF", NULL };
    const char *const too_long[] = { "010203040506070809101112131415161718192021", NULL };
    cfaop_revocation_t *rev;
    tu_cred_t neg, wide;

    o.cn = "neg";
    o.issuer = p.root.cert;
    o.issuer_key = p.root.key;
    o.serial_hex = "-10";
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_LEAF;
    neg = tu_make_cert(&o);
    o.serial_hex = "FF00FF00FF00FF00FF00FF00FF00FF00FF00FF";
    wide = tu_make_cert(&o);

    rev = load_ok(rv_write_text(rv_crl_pem(rv_crl(&p.root, entries)), NULL),
                  rv_store(p.root.cert, NULL));
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(neg.cert, p.root.cert, NULL)), 0);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(wide.cert, p.root.cert, NULL)), 0);

    ck_assert_contains(load_err(rv_write_text(rv_crl_pem(rv_crl(&p.root, too_long)), NULL),
                                rv_store(p.root.cert, NULL)),
                       "entry #1 has a serial number longer than 20 octets");
}
END_TEST

START_TEST(degenerate_chains)
{
    pki_t p = pki();
    cfaop_revocation_t *rev = load_ok(rv_write_text(rv_crl_pem(rv_crl(&p.root, REVOKE_10)), NULL),
                                      rv_store(p.root.cert, NULL));
    cfaop_revocation_t *none = cfaop_revocation_create(tu_pool);

    ck_assert_ptr_null(cfaop_revocation_freeze(none));
    ck_assert_int_eq(cfaop_revocation_check(rev, NULL), -1);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, NULL)), -1);
    ck_assert_int_eq(cfaop_revocation_check(none, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
    ck_assert_int_eq(cfaop_revocation_check(NULL, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
}
END_TEST

START_TEST(stale_crl_reported_and_applied)
{
    pki_t p = pki();
    time_t now = time(NULL);
    rv_crl_opts_t o = { 0 };
    const char *old_path, *fresh_path;
    cfaop_revocation_t *rev = cfaop_revocation_create(tu_pool);
    X509_STORE *store = rv_store(p.root.cert, NULL);
    apr_array_header_t *stale;
    const char *const revoke_20[] = { "20", NULL };

    o.issuer = &p.root;
    o.serials = REVOKE_10;
    o.next_update = now - 2 * TU_DAY;
    old_path = rv_write_text(rv_crl_pem(rv_make_crl(&o)), NULL);
    fresh_path = rv_write_text(tu_cert_pem(p.inter.cert), rv_crl_pem(rv_crl(&p.inter, revoke_20)),
                               NULL);
    ck_assert_ptr_null(cfaop_revocation_load_file(rev, old_path, store));
    ck_assert_ptr_null(cfaop_revocation_load_file(rev, fresh_path, store));
    ck_assert_ptr_null(cfaop_revocation_freeze(rev));

    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), 0);
    stale = cfaop_revocation_stale(rev, tu_pool, now);
    ck_assert_int_eq(stale->nelts, 1);
    ck_assert_contains(APR_ARRAY_IDX(stale, 0, const char *),
                       apr_psprintf(tu_pool, "%s: the CRL issued by \"CN=Root,O=Unit Test\" is "
                                    "past its nextUpdate (", old_path));
    ck_assert_contains(APR_ARRAY_IDX(stale, 0, const char *), "it is still applied");
    ck_assert_int_le(cfaop_revocation_next_update(rev), now - 2 * TU_DAY + 1);
    ck_assert_int_ge(cfaop_revocation_next_update(rev), now - 2 * TU_DAY - 1);
    /* A week on, the fresh one is stale too. */
    ck_assert_int_eq(cfaop_revocation_stale(rev, tu_pool, now + 8 * TU_DAY)->nelts, 2);
    ck_assert_int_eq(cfaop_revocation_stale(rev, tu_pool, now - 3 * TU_DAY)->nelts, 0);
}
END_TEST

START_TEST(no_next_update_never_stale)
{
    pki_t p = pki();
    rv_crl_opts_t o = { 0 };
    cfaop_revocation_t *rev;

    o.issuer = &p.root;
    o.serials = REVOKE_10;
    rev = load_ok(rv_write_text(rv_crl_pem(rv_make_crl(&o)), NULL), rv_store(p.root.cert, NULL));
    ck_assert_int_eq(cfaop_revocation_next_update(rev), 0);
    ck_assert_int_eq(cfaop_revocation_stale(rev, tu_pool, time(NULL) + 3650 * TU_DAY)->nelts, 0);
    ck_assert_str_eq(APR_ARRAY_IDX(cfaop_revocation_crls(rev), 0, cfaop_crl_info_t).next_update_text,
                     "");
}
END_TEST

START_TEST(empty_crl_loads)
{
    pki_t p = pki();
    cfaop_revocation_t *rev = load_ok(rv_write_text(rv_crl_pem(rv_crl(&p.root, NULL)), NULL),
                                      rv_store(p.root.cert, NULL));

    ck_assert_uint_eq(cfaop_revocation_count(rev), 0);
    ck_assert_int_eq(cfaop_revocation_crls(rev)->nelts, 1);
    ck_assert_int_eq(cfaop_revocation_check(rev, tu_stack(p.leaf10.cert, p.root.cert, NULL)), -1);
}
END_TEST

Suite *crl_suite(void)
{
    Suite *s = suite_create("crl");
    TCase *tc = tu_tcase("crl");

    tcase_add_test(tc, anchor_signed_pem);
    tcase_add_test(tc, anchor_signed_der);
    tcase_add_test(tc, intermediate_signed_with_intermediate_in_file);
    tcase_add_test(tc, intermediate_that_is_an_anchor);
    tcase_add_test(tc, revoked_intermediate);
    tcase_add_test(tc, leaf_reported_before_intermediate);
    tcase_add_test(tc, several_files_merge);
    tcase_add_test(tc, verified_chain_from_policy);
    tcase_add_test(tc, issuer_is_name_and_key);
    tcase_add_test(tc, reissued_issuer_same_key);
    tcase_add_test(tc, unknown_issuer_is_an_error);
    tcase_add_test(tc, intermediate_not_chaining_is_an_error);
    tcase_add_test(tc, bad_signature_is_an_error);
    tcase_add_test(tc, tampered_crl_is_an_error);
    tcase_add_test(tc, second_crl_named_in_error);
    tcase_add_test(tc, signer_without_crlsign);
    tcase_add_test(tc, file_errors);
    tcase_add_test(tc, unsupported_crls);
    tcase_add_test(tc, remove_from_crl_entry_does_not_revoke);
    tcase_add_test(tc, serial_edge_cases);
    tcase_add_test(tc, degenerate_chains);
    tcase_add_test(tc, stale_crl_reported_and_applied);
    tcase_add_test(tc, no_next_update_never_stale);
    tcase_add_test(tc, empty_crl_loads);
    suite_add_tcase(s, tc);
    return s;
}
