/* SPDX-License-Identifier: Apache-2.0 */
/* test_policy.c: building a policy from anchor sets and verifying chains
 * against it, with the reason each failure gets. */
#include "test_util.h"

#include <stdarg.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/err.h>

#include "anchors.h"
#include "builtin_ca.h"
#include "policy.h"
#include "judge.h"
#include "chaincache.h"

/* An anchor set made the way a CFAOPTrustedCA file is read. */
static cfaop_anchor_set_t *set_of(const char *source, X509 *first, ...)
{
    const char *pem = "";
    cfaop_anchor_set_t *set = NULL;
    const char *err;
    va_list ap;
    X509 *cert;

    va_start(ap, first);
    for (cert = first; cert != NULL; cert = va_arg(ap, X509 *))
        pem = apr_pstrcat(tu_pool, pem, tu_cert_pem(cert), NULL);
    va_end(ap);
    err = cfaop_anchor_set_load_pem(tu_pool, pem, source, 0, &set);
    ck_assert_msg(err == NULL, "anchor set: %s", err);
    return set;
}

static cfaop_policy_t *policy_of(int depth, int nsets, cfaop_anchor_set_t *a,
                                 cfaop_anchor_set_t *b)
{
    const cfaop_anchor_set_t *sets[2] = { a, b };
    const char *err = "not set";
    cfaop_policy_t *policy = cfaop_policy_create(tu_pool, "zone", sets, nsets, depth, &err);

    ck_assert_msg(policy != NULL, "policy: %s", err ? err : "(null)");
    ck_assert_ptr_null(err);
    return policy;
}

static cfaop_policy_t *policy_for(X509 *anchor, int depth)
{
    return policy_of(depth, 1, set_of("anchors.pem", anchor, NULL), NULL);
}

static cfaop_verdict_t verify(const cfaop_policy_t *policy, X509 *leaf,
                              STACK_OF(X509) *untrusted)
{
    cfaop_verdict_t v;

    memset(&v, 0x5a, sizeof(v));        /* every field must be set */
    ERR_clear_error();
    cfaop_policy_verify(policy, leaf, untrusted, &v);
    ck_assert_msg(ERR_peek_error() == 0, "verification left an OpenSSL error queued");
    return v;
}

#define ck_assert_verdict(v, want_reason, want_error, want_depth) do { \
        ck_assert_msg((v).reason == (want_reason), "reason %s, expected %s (x509 %d: %s)", \
                      cfaop_reason_name((v).reason), cfaop_reason_name(want_reason), \
                      (v).x509_error, X509_verify_cert_error_string((v).x509_error)); \
        ck_assert_msg((v).x509_error == (want_error), "x509 error %d (%s), expected %d (%s)", \
                      (v).x509_error, X509_verify_cert_error_string((v).x509_error), \
                      (want_error), X509_verify_cert_error_string(want_error)); \
        ck_assert_int_eq((v).error_depth, (want_depth)); \
        if ((want_error) == X509_V_OK) \
            ck_assert_str_eq((v).detail, ""); \
        else \
            ck_assert_str_eq((v).detail, X509_verify_cert_error_string(want_error)); \
    } while (0)

static time_t now;

static tu_cred_t good_leaf(const tu_cred_t *issuer)
{
    now = time(NULL);
    return tu_make_leaf("leaf", issuer, 100, now - TU_DAY, now + 30 * TU_DAY);
}

/* ---- verification --------------------------------------------------- */

START_TEST(good_leaf_passes)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t leaf = good_leaf(&ca);
    cfaop_verdict_t v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);

    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

START_TEST(good_leaf_with_anchor_sent_passes)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t leaf = good_leaf(&ca);
    cfaop_verdict_t v = verify(policy_for(ca.cert, 1), leaf.cert, tu_stack(leaf.cert, ca.cert, NULL));

    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

START_TEST(leaf_without_eku_passes)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cert_opts_t o = { 0 };
    tu_cred_t leaf;
    cfaop_verdict_t v;

    now = time(NULL);
    o.cn = "no eku";
    o.issuer = ca.cert;
    o.issuer_key = ca.key;
    o.serial = 4;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_LEAF;
    leaf = tu_make_cert(&o);
    v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

START_TEST(no_leaf_is_no_cert)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    cfaop_verdict_t v = verify(policy_for(ca.cert, 1), NULL, NULL);

    ck_assert_verdict(v, CFAOP_REASON_NO_CERT, X509_V_OK, 0);
}
END_TEST

START_TEST(wrong_ca_is_untrusted)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t other = tu_make_ca("Other CA");
    tu_cred_t leaf = good_leaf(&other);
    cfaop_verdict_t v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);

    ck_assert_verdict(v, CFAOP_REASON_UNTRUSTED, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
}
END_TEST

START_TEST(wrong_ca_sent_by_peer_is_untrusted)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t other = tu_make_ca("Other CA");
    tu_cred_t leaf = good_leaf(&other);
    cfaop_verdict_t v = verify(policy_for(ca.cert, 2), leaf.cert,
                               tu_stack(leaf.cert, other.cert, NULL));

    ck_assert_verdict(v, CFAOP_REASON_UNTRUSTED, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1);
}
END_TEST

START_TEST(same_name_other_key_is_untrusted)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t impostor = tu_make_ca("Zone CA");        /* same DN, other key */
    tu_cred_t leaf = good_leaf(&impostor);
    cfaop_verdict_t v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);

    ck_assert_int_eq(v.reason, CFAOP_REASON_UNTRUSTED);
    ck_assert_int_ne(v.x509_error, X509_V_OK);
}
END_TEST

START_TEST(self_signed_leaf_is_untrusted)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cert_opts_t o = { 0 };
    tu_cred_t leaf;
    cfaop_verdict_t v;

    now = time(NULL);
    o.cn = "self";
    o.serial = 6;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_LEAF;
    o.eku = "clientAuth";
    leaf = tu_make_cert(&o);
    v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_UNTRUSTED, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0);
}
END_TEST

START_TEST(expired_leaf)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t leaf;
    cfaop_verdict_t v;

    now = time(NULL);
    leaf = tu_make_leaf("expired", &ca, 7, now - 10 * TU_DAY, now - TU_DAY);
    v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED, 0);
}
END_TEST

START_TEST(not_yet_valid_leaf)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t leaf;
    cfaop_verdict_t v;

    now = time(NULL);
    leaf = tu_make_leaf("future", &ca, 8, now + TU_DAY, now + 10 * TU_DAY);
    v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_NOT_YET_VALID, X509_V_ERR_CERT_NOT_YET_VALID, 0);
}
END_TEST

START_TEST(expired_intermediate)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cert_opts_t o = { 0 };
    tu_cred_t inter, leaf;
    cfaop_verdict_t v;

    now = time(NULL);
    o.cn = "Old Intermediate";
    o.issuer = root.cert;
    o.issuer_key = root.key;
    o.serial = 9;
    o.not_before = now - 100 * TU_DAY;
    o.not_after = now - TU_DAY;
    o.bc = TU_BC_CA;
    inter = tu_make_cert(&o);
    leaf = good_leaf(&inter);
    v = verify(policy_for(root.cert, 2), leaf.cert, tu_stack(leaf.cert, inter.cert, NULL));
    ck_assert_verdict(v, CFAOP_REASON_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED, 1);
}
END_TEST

START_TEST(bad_signature)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cred_t leaf = good_leaf(&ca);
    size_t len;
    unsigned char *der = tu_cert_der(leaf.cert, &len);
    X509 *corrupt;
    cfaop_verdict_t v;

    /* The DER ends with the ECDSA signature's s value: change its last byte. */
    der[len - 1] ^= 0x01;
    corrupt = tu_cert_from_der(der, len);
    ck_assert_ptr_nonnull(corrupt);
    ck_assert_int_ne(X509_cmp(corrupt, leaf.cert), 0);
    v = verify(policy_for(ca.cert, 1), corrupt, NULL);
    ck_assert_verdict(v, CFAOP_REASON_BAD_SIGNATURE, X509_V_ERR_CERT_SIGNATURE_FAILURE, 0);
}
END_TEST

START_TEST(server_auth_only_leaf_is_invalid)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    tu_cert_opts_t o = { 0 };
    tu_cred_t leaf;
    cfaop_verdict_t v;

    now = time(NULL);
    o.cn = "server only";
    o.issuer = ca.cert;
    o.issuer_key = ca.key;
    o.serial = 10;
    o.not_before = now - TU_DAY;
    o.not_after = now + TU_DAY;
    o.bc = TU_BC_LEAF;
    o.eku = "serverAuth";
    leaf = tu_make_cert(&o);
    v = verify(policy_for(ca.cert, 1), leaf.cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_INVALID, X509_V_ERR_INVALID_PURPOSE, 0);
}
END_TEST

START_TEST(non_ca_issuer_is_invalid)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t fake = good_leaf(&root);        /* CA:FALSE, used as an issuer */
    tu_cred_t leaf = tu_make_leaf("below a leaf", &fake, 11, now - TU_DAY, now + TU_DAY);
    cfaop_verdict_t v = verify(policy_for(root.cert, 2), leaf.cert,
                               tu_stack(leaf.cert, fake.cert, NULL));

    ck_assert_verdict(v, CFAOP_REASON_INVALID, X509_V_ERR_INVALID_CA, 1);
}
END_TEST

/* ---- depth ---------------------------------------------------------- */

START_TEST(intermediate_depth_1_exceeded)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t inter = tu_make_intermediate("Intermediate CA", &root);
    tu_cred_t leaf = good_leaf(&inter);
    cfaop_verdict_t v = verify(policy_for(root.cert, 1), leaf.cert,
                               tu_stack(leaf.cert, inter.cert, NULL));

    ck_assert_verdict(v, CFAOP_REASON_DEPTH_EXCEEDED, X509_V_ERR_CERT_CHAIN_TOO_LONG, 1);
}
END_TEST

START_TEST(intermediate_depth_2_passes)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t inter = tu_make_intermediate("Intermediate CA", &root);
    tu_cred_t leaf = good_leaf(&inter);
    cfaop_verdict_t v = verify(policy_for(root.cert, 2), leaf.cert,
                               tu_stack(leaf.cert, inter.cert, NULL));

    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

START_TEST(intermediate_not_sent_is_untrusted)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t inter = tu_make_intermediate("Intermediate CA", &root);
    tu_cred_t leaf = good_leaf(&inter);
    cfaop_verdict_t v = verify(policy_for(root.cert, 2), leaf.cert, NULL);

    ck_assert_verdict(v, CFAOP_REASON_UNTRUSTED, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
}
END_TEST

START_TEST(two_intermediates_by_depth)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t i1 = tu_make_intermediate("Intermediate 1", &root);
    tu_cred_t i2 = tu_make_intermediate("Intermediate 2", &i1);
    tu_cred_t leaf = good_leaf(&i2);
    STACK_OF(X509) *sent = tu_stack(leaf.cert, i2.cert, i1.cert, NULL);
    cfaop_verdict_t v;

    v = verify(policy_for(root.cert, 2), leaf.cert, sent);
    ck_assert_verdict(v, CFAOP_REASON_DEPTH_EXCEEDED, X509_V_ERR_CERT_CHAIN_TOO_LONG, 2);
    v = verify(policy_for(root.cert, 3), leaf.cert, sent);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

START_TEST(intermediate_as_anchor_depth_1)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t inter = tu_make_intermediate("Intermediate CA", &root);
    tu_cred_t leaf = good_leaf(&inter);
    cfaop_policy_t *policy = policy_for(inter.cert, 1);
    cfaop_verdict_t v;

    /* Partial chain: the intermediate is an anchor by itself. */
    v = verify(policy, leaf.cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
    /* A leaf of the root directly is not trusted by that policy. */
    v = verify(policy, good_leaf(&root).cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_UNTRUSTED, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
}
END_TEST

START_TEST(verify_chain_hands_back_chain)
{
    tu_cred_t root = tu_make_ca("Root CA");
    tu_cred_t inter = tu_make_intermediate("Intermediate CA", &root);
    tu_cred_t leaf = good_leaf(&inter);
    tu_cred_t stranger = tu_make_ca("Stranger CA");
    cfaop_policy_t *policy = policy_for(root.cert, 2);
    STACK_OF(X509) *chain = (STACK_OF(X509) *)&chain;   /* must be overwritten */
    cfaop_verdict_t v;

    cfaop_policy_verify_chain(policy, leaf.cert, tu_stack(inter.cert, NULL), &v, &chain);
    tu_own_stack(chain);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
    ck_assert_ptr_nonnull(chain);
    ck_assert_int_eq(sk_X509_num(chain), 3);
    ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 0), leaf.cert), 0);
    ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 1), inter.cert), 0);
    ck_assert_int_eq(X509_cmp(sk_X509_value(chain, 2), root.cert), 0);

    /* a leaf of the anchor itself: leaf and anchor */
    chain = (STACK_OF(X509) *)&chain;
    cfaop_policy_verify_chain(policy, good_leaf(&root).cert, NULL, &v, &chain);
    ck_assert_int_eq(v.reason, CFAOP_REASON_NONE);
    tu_own_stack(chain);
    ck_assert_int_eq(sk_X509_num(chain), 2);
    /* no chain for a failure, nor for no certificate */
    chain = (STACK_OF(X509) *)&chain;
    cfaop_policy_verify_chain(policy, good_leaf(&stranger).cert, NULL, &v, &chain);
    ck_assert_int_eq(v.reason, CFAOP_REASON_UNTRUSTED);
    ck_assert_ptr_null(chain);
    chain = (STACK_OF(X509) *)&chain;
    cfaop_policy_verify_chain(policy, NULL, NULL, &v, &chain);
    ck_assert_int_eq(v.reason, CFAOP_REASON_NO_CERT);
    ck_assert_ptr_null(chain);
}
END_TEST

/* ---- building ------------------------------------------------------- */

START_TEST(create_fields)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    const cfaop_anchor_set_t *sets[1] = { set_of("a.pem", ca.cert, NULL) };
    const char *err = "not set";
    cfaop_policy_t *p = cfaop_policy_create(tu_pool, "hostname:app.example.com", sets, 1, 3, &err);

    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(p->name, "hostname:app.example.com");
    ck_assert_int_eq(p->depth, 3);
    ck_assert_ptr_nonnull(p->store);
    ck_assert_int_eq(sk_X509_NAME_num(p->ca_names), 1);
    ck_assert_int_eq(X509_NAME_cmp(sk_X509_NAME_value(p->ca_names, 0),
                                   X509_get_subject_name(ca.cert)), 0);
}
END_TEST

START_TEST(ca_names_hold_subjects)
{
    tu_cred_t a = tu_make_ca("CA A");
    tu_cred_t b = tu_make_ca("CA B");
    tu_cred_t c = tu_make_ca("CA C");
    cfaop_policy_t *p = policy_of(1, 2, set_of("ab.pem", a.cert, b.cert, NULL),
                                  set_of("c.pem", c.cert, NULL));

    ck_assert_int_eq(sk_X509_NAME_num(p->ca_names), 3);
    ck_assert_int_eq(X509_NAME_cmp(sk_X509_NAME_value(p->ca_names, 0), X509_get_subject_name(a.cert)), 0);
    ck_assert_int_eq(X509_NAME_cmp(sk_X509_NAME_value(p->ca_names, 1), X509_get_subject_name(b.cert)), 0);
    ck_assert_int_eq(X509_NAME_cmp(sk_X509_NAME_value(p->ca_names, 2), X509_get_subject_name(c.cert)), 0);
    /* copies, not the certificates' own names */
    ck_assert_ptr_ne(sk_X509_NAME_value(p->ca_names, 0), X509_get_subject_name(a.cert));
}
END_TEST

START_TEST(rotation_overlap)
{
    tu_cred_t old_ca = tu_make_ca("Old CA");
    tu_cred_t new_ca = tu_make_ca("New CA");
    /* The old CA is in both files while the rotation overlaps. */
    cfaop_policy_t *p = policy_of(1, 2, set_of("old.pem", old_ca.cert, NULL),
                                  set_of("bundle.pem", old_ca.cert, new_ca.cert, NULL));
    cfaop_verdict_t v;

    v = verify(p, good_leaf(&old_ca).cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
    v = verify(p, good_leaf(&new_ca).cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

/* The same CA listed twice is one anchor (policy.c says so): it is
 * advertised once in the CertificateRequest's CA names.
 * KNOWN BUG (reported): OpenSSL 3 X509_STORE_add_cert returns 1 for a
 * certificate already in the store, so policy.c's duplicate branch never
 * runs and the subject is pushed to ca_names twice. */
START_TEST(rotation_overlap_names_once)
{
    tu_cred_t old_ca = tu_make_ca("Old CA");
    tu_cred_t new_ca = tu_make_ca("New CA");
    cfaop_policy_t *p = policy_of(1, 2, set_of("old.pem", old_ca.cert, NULL),
                                  set_of("bundle.pem", old_ca.cert, new_ca.cert, NULL));

    ck_assert_int_eq(sk_X509_NAME_num(p->ca_names), 2);
    ck_assert_int_eq(X509_NAME_cmp(sk_X509_NAME_value(p->ca_names, 0), X509_get_subject_name(old_ca.cert)), 0);
    ck_assert_int_eq(X509_NAME_cmp(sk_X509_NAME_value(p->ca_names, 1), X509_get_subject_name(new_ca.cert)), 0);
}
END_TEST

START_TEST(alias_shares_trust)
{
    tu_cred_t ca = tu_make_ca("Zone CA");
    cfaop_policy_t *base = policy_for(ca.cert, 2);
    cfaop_policy_t *alias = cfaop_policy_alias(tu_pool, base, "hostname:b.example.com");
    cfaop_verdict_t v;

    ck_assert_ptr_nonnull(alias);
    ck_assert_ptr_ne(alias, base);
    ck_assert_str_eq(alias->name, "hostname:b.example.com");
    ck_assert_str_eq(base->name, "zone");
    ck_assert_ptr_eq(alias->store, base->store);
    ck_assert_ptr_eq(alias->ca_names, base->ca_names);
    ck_assert_int_eq(alias->depth, 2);
    v = verify(alias, good_leaf(&ca).cert, NULL);
    ck_assert_verdict(v, CFAOP_REASON_NONE, X509_V_OK, 0);
}
END_TEST

START_TEST(no_anchors_fails)
{
    const char *err = NULL;
    cfaop_policy_t *p = cfaop_policy_create(tu_pool, "zone", NULL, 0, 1, &err);

    ck_assert_ptr_null(p);
    ck_assert_str_eq(err, "no trust anchors");
}
END_TEST

START_TEST(builtin_ca_refuses_own_leaf)
{
    tu_cred_t ca = tu_make_ca("Own CA");
    cfaop_anchor_set_t *builtin = NULL;

    ck_assert_ptr_null(cfaop_anchor_set_load_pem(tu_pool, cfaop_builtin_ca_pem,
                                                 CFAOP_BUILTIN_CA_NAME, 1, &builtin));
    /* The built-in CA does not trust our own leaf. */
    ck_assert_int_eq(verify(policy_of(1, 1, builtin, NULL), good_leaf(&ca).cert, NULL).reason,
                     CFAOP_REASON_UNTRUSTED);
}
END_TEST

/* ---- time edges: the chain cache and OpenSSL ---------------------------- */

/* OpenSSL: valid from notBefore on, expired at notAfter itself. With the
 * cache on, the first call at each second verifies and stores; a second call
 * at the same second is answered by the cache; all must agree with the
 * cache off. */
START_TEST(time_edges_cache_agrees_with_openssl)
{
    tu_cred_t ca = tu_make_ca("Edge CA");
    time_t base = time(NULL);
    time_t nb = base - 3600, na = base + 3600;     /* inside the CA's validity */
    tu_cred_t leaf = tu_make_leaf("edge leaf", &ca, 7, nb, na);
    const cfaop_policy_t *policy = policy_for(ca.cert, 1);
    struct { time_t at; cfaop_reason_t want; } cases[] = {
        { nb - 1, CFAOP_REASON_NOT_YET_VALID }, { nb, CFAOP_REASON_NONE }, { nb + 1, CFAOP_REASON_NONE },
        { na - 1, CFAOP_REASON_NONE }, { na, CFAOP_REASON_EXPIRED }, { na + 1, CFAOP_REASON_EXPIRED },
    };
    size_t i;
    int use_cache, round;

    /* The cache's window is judged against a verification made at base. */
    for (use_cache = 0; use_cache <= 1; use_cache++) {
        cfaop_verdict_t warm;

        cfaop_judge(policy, NULL, leaf.cert, NULL, base, use_cache, &warm);
        ck_assert_int_eq(warm.reason, CFAOP_REASON_NONE);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            for (round = 0; round < 2; round++) {
                cfaop_verdict_t v;

                cfaop_judge(policy, NULL, leaf.cert, NULL, cases[i].at, use_cache, &v);
                ck_assert_msg(v.reason == cases[i].want,
                              "cache %s, %+ld s from %s, call %d: %s, expected %s",
                              use_cache ? "on" : "off",
                              (long)(cases[i].at - (i < 3 ? nb : na)), i < 3 ? "notBefore" : "notAfter",
                              round + 1, cfaop_reason_name(v.reason), cfaop_reason_name(cases[i].want));
            }
        }
    }
    cfaop_chaincache_release_thread();
}
END_TEST

Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tu_tcase("policy");

    tcase_add_test(tc, good_leaf_passes);
    tcase_add_test(tc, good_leaf_with_anchor_sent_passes);
    tcase_add_test(tc, leaf_without_eku_passes);
    tcase_add_test(tc, no_leaf_is_no_cert);
    tcase_add_test(tc, wrong_ca_is_untrusted);
    tcase_add_test(tc, wrong_ca_sent_by_peer_is_untrusted);
    tcase_add_test(tc, same_name_other_key_is_untrusted);
    tcase_add_test(tc, self_signed_leaf_is_untrusted);
    tcase_add_test(tc, expired_leaf);
    tcase_add_test(tc, not_yet_valid_leaf);
    tcase_add_test(tc, expired_intermediate);
    tcase_add_test(tc, bad_signature);
    tcase_add_test(tc, server_auth_only_leaf_is_invalid);
    tcase_add_test(tc, non_ca_issuer_is_invalid);
    tcase_add_test(tc, intermediate_depth_1_exceeded);
    tcase_add_test(tc, intermediate_depth_2_passes);
    tcase_add_test(tc, intermediate_not_sent_is_untrusted);
    tcase_add_test(tc, two_intermediates_by_depth);
    tcase_add_test(tc, intermediate_as_anchor_depth_1);
    tcase_add_test(tc, verify_chain_hands_back_chain);
    tcase_add_test(tc, create_fields);
    tcase_add_test(tc, ca_names_hold_subjects);
    tcase_add_test(tc, rotation_overlap);
    tcase_add_test(tc, rotation_overlap_names_once);
    tcase_add_test(tc, alias_shares_trust);
    tcase_add_test(tc, no_anchors_fails);
    tcase_add_test(tc, builtin_ca_refuses_own_leaf);
    tcase_add_test(tc, time_edges_cache_agrees_with_openssl);
    suite_add_tcase(s, tc);
    return s;
}
