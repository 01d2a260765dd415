/* SPDX-License-Identifier: Apache-2.0 */
/* test_chainblob.c: the intermediates stored with a TLS session: encode,
 * decode, and refusal of anything malformed. */
#include "test_util.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>

#include "chainblob.h"

/* An encoded blob, copied into the pool (the OPENSSL_malloc'd one is freed). */
static unsigned char *encode(X509 *leaf, STACK_OF(X509) *chain, size_t *len)
{
    unsigned char *out = NULL, *copy;

    *len = 12345;
    ck_assert_int_eq(cfaop_chainblob_encode(leaf, chain, &out, len), 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_ge(*len, 4);
    copy = apr_pmemdup(tu_pool, out, *len);
    OPENSSL_free(out);
    return copy;
}

static STACK_OF(X509) *decode(const unsigned char *blob, size_t len)
{
    return tu_own_stack(cfaop_chainblob_decode(blob, len));
}

static void assert_same_certs(STACK_OF(X509) *got, X509 **want, int n)
{
    int i;

    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(sk_X509_num(got), n);
    for (i = 0; i < n; i++)
        ck_assert_msg(X509_cmp(sk_X509_value(got, i), want[i]) == 0, "certificate %d differs", i);
}

/* A blob built by hand: magic, then per certificate a 4-byte big-endian
 * length and the bytes. */
static unsigned char *blob_append(unsigned char *blob, size_t *len,
                                  const unsigned char *bytes, size_t n, size_t declared)
{
    unsigned char *out = apr_palloc(tu_pool, *len + 4 + n);

    memcpy(out, blob, *len);
    out[*len] = (unsigned char)(declared >> 24);
    out[*len + 1] = (unsigned char)(declared >> 16);
    out[*len + 2] = (unsigned char)(declared >> 8);
    out[*len + 3] = (unsigned char)declared;
    if (n > 0)
        memcpy(out + *len + 4, bytes, n);
    *len += 4 + n;
    return out;
}

static unsigned char *blob_start(size_t *len)
{
    *len = 4;
    return apr_pmemdup(tu_pool, "CFA1", 4);
}

/* ---- round trips ---------------------------------------------------- */

START_TEST(round_trip_no_intermediate)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    time_t now = time(NULL);
    tu_cred_t leaf = tu_make_leaf("leaf", &ca, 1, now - TU_DAY, now + TU_DAY);
    size_t len;
    unsigned char *blob = encode(leaf.cert, tu_stack(leaf.cert, NULL), &len);

    ck_assert_uint_eq(len, 4);
    ck_assert_mem_eq(blob, "CFA1", 4);
    assert_same_certs(decode(blob, len), NULL, 0);
}
END_TEST

START_TEST(round_trip_null_chain)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t len;
    unsigned char *blob = encode(ca.cert, NULL, &len);

    ck_assert_uint_eq(len, 4);
    assert_same_certs(decode(blob, len), NULL, 0);
}
END_TEST

START_TEST(round_trip_one_intermediate)
{
    tu_cred_t root = tu_make_ca("Blob Root");
    tu_cred_t inter = tu_make_intermediate("Blob Intermediate", &root);
    time_t now = time(NULL);
    tu_cred_t leaf = tu_make_leaf("leaf", &inter, 1, now - TU_DAY, now + TU_DAY);
    X509 *want[] = { inter.cert };
    size_t len, derlen;
    unsigned char *der = tu_cert_der(inter.cert, &derlen);
    unsigned char *blob = encode(leaf.cert, tu_stack(leaf.cert, inter.cert, NULL), &len);

    /* exact layout: "CFA1", big-endian length, DER */
    ck_assert_uint_eq(len, 4 + 4 + derlen);
    ck_assert_mem_eq(blob, "CFA1", 4);
    ck_assert_uint_eq(((size_t)blob[4] << 24) | ((size_t)blob[5] << 16)
                      | ((size_t)blob[6] << 8) | blob[7], derlen);
    ck_assert_mem_eq(blob + 8, der, derlen);
    assert_same_certs(decode(blob, len), want, 1);
}
END_TEST

START_TEST(round_trip_three_intermediates)
{
    tu_cred_t root = tu_make_ca("Blob Root");
    tu_cred_t i1 = tu_make_intermediate("Intermediate 1", &root);
    tu_cred_t i2 = tu_make_intermediate("Intermediate 2", &i1);
    tu_cred_t i3 = tu_make_intermediate("Intermediate 3", &i2);
    time_t now = time(NULL);
    tu_cred_t leaf = tu_make_leaf("leaf", &i3, 1, now - TU_DAY, now + TU_DAY);
    X509 *want[] = { i3.cert, i2.cert, i1.cert };
    size_t len;
    unsigned char *blob = encode(leaf.cert, tu_stack(leaf.cert, i3.cert, i2.cert, i1.cert, NULL), &len);

    assert_same_certs(decode(blob, len), want, 3);
}
END_TEST

START_TEST(leaf_excluded_by_content)
{
    tu_cred_t root = tu_make_ca("Blob Root");
    tu_cred_t inter = tu_make_intermediate("Blob Intermediate", &root);
    time_t now = time(NULL);
    tu_cred_t leaf = tu_make_leaf("leaf", &inter, 1, now - TU_DAY, now + TU_DAY);
    size_t derlen, len;
    unsigned char *der = tu_cert_der(leaf.cert, &derlen);
    X509 *copy = tu_cert_from_der(der, derlen);        /* same cert, other object */
    X509 *want[] = { inter.cert };
    unsigned char *blob = encode(leaf.cert, tu_stack(copy, inter.cert, NULL), &len);

    assert_same_certs(decode(blob, len), want, 1);
}
END_TEST

START_TEST(leaf_not_in_chain_keeps_all)
{
    tu_cred_t a = tu_make_ca("A");
    tu_cred_t b = tu_make_ca("B");
    tu_cred_t leaf = tu_make_ca("Not in the chain");
    X509 *want[] = { a.cert, b.cert };
    size_t len;
    unsigned char *blob = encode(leaf.cert, tu_stack(a.cert, b.cert, NULL), &len);

    assert_same_certs(decode(blob, len), want, 2);
}
END_TEST

START_TEST(encode_limits)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    tu_cred_t other = tu_make_ca("Other");
    STACK_OF(X509) *chain = tu_stack(ca.cert, NULL);
    unsigned char *out = (unsigned char *)"x";
    size_t len = 99;
    int i;

    /* the leaf, then CFAOP_CHAINBLOB_MAX_CERTS others: kept */
    for (i = 0; i < CFAOP_CHAINBLOB_MAX_CERTS; i++) {
        X509_up_ref(other.cert);
        sk_X509_push(chain, other.cert);
    }
    ck_assert_int_eq(cfaop_chainblob_encode(ca.cert, chain, &out, &len), 1);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(sk_X509_num(decode(out, len)), CFAOP_CHAINBLOB_MAX_CERTS);
    OPENSSL_free(out);

    /* one more: refused, nothing returned */
    X509_up_ref(other.cert);
    sk_X509_push(chain, other.cert);
    out = (unsigned char *)"x";
    len = 99;
    ck_assert_int_eq(cfaop_chainblob_encode(ca.cert, chain, &out, &len), 0);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(len, 0);
}
END_TEST

/* ---- malformed input ------------------------------------------------ */

START_TEST(decode_empty_is_empty_stack)
{
    STACK_OF(X509) *got = decode((const unsigned char *)"", 0);

    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(sk_X509_num(got), 0);
    got = decode(NULL, 0);
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(sk_X509_num(got), 0);
}
END_TEST

START_TEST(decode_magic_only_is_empty_stack)
{
    STACK_OF(X509) *got = decode((const unsigned char *)"CFA1", 4);

    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(sk_X509_num(got), 0);
}
END_TEST

START_TEST(decode_rejects_truncation)
{
    tu_cred_t root = tu_make_ca("Blob Root");
    tu_cred_t inter = tu_make_intermediate("Blob Intermediate", &root);
    size_t len, cut, first;
    unsigned char *blob = encode(tu_make_ca("Leaf").cert, tu_stack(inter.cert, root.cert, NULL), &len);

    ck_assert_int_eq(sk_X509_num(decode(blob, len)), 2);
    tu_cert_der(inter.cert, &first);
    first += 8;         /* magic, length, first certificate: a whole blob */
    /* every other shorter prefix is malformed */
    for (cut = 1; cut < len; cut++) {
        if (cut == 4 || cut == first) {
            ck_assert_int_eq(sk_X509_num(decode(blob, cut)), cut == 4 ? 0 : 1);
            continue;
        }
        ck_assert_msg(decode(blob, cut) == NULL, "a blob cut to %zu of %zu bytes decoded", cut, len);
    }
}
END_TEST

START_TEST(decode_rejects_bad_magic)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t len;
    unsigned char *blob = encode(tu_make_ca("Leaf").cert, tu_stack(ca.cert, NULL), &len);
    unsigned char *bad = apr_pmemdup(tu_pool, blob, len);

    ck_assert_ptr_nonnull(decode(blob, len));
    bad[3] = '2';       /* "CFA2" */
    ck_assert_ptr_null(decode(bad, len));
    bad = apr_pmemdup(tu_pool, blob, len);
    bad[0] = 'c';
    ck_assert_ptr_null(decode(bad, len));
    ck_assert_ptr_null(decode((const unsigned char *)"CFA", 3));
    ck_assert_ptr_null(decode((const unsigned char *)"XXXX", 4));
}
END_TEST

START_TEST(decode_rejects_zero_length)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t derlen, len;
    unsigned char *der = tu_cert_der(ca.cert, &derlen);
    unsigned char *blob = blob_start(&len);

    blob = blob_append(blob, &len, NULL, 0, 0);
    ck_assert_ptr_null(decode(blob, len));
    /* a zero length after a good certificate too */
    blob = blob_start(&len);
    blob = blob_append(blob, &len, der, derlen, derlen);
    ck_assert_int_eq(sk_X509_num(decode(blob, len)), 1);
    blob = blob_append(blob, &len, NULL, 0, 0);
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

START_TEST(decode_rejects_oversize_length)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t derlen, len;
    unsigned char *der = tu_cert_der(ca.cert, &derlen);
    unsigned char *blob;

    blob = blob_start(&len);
    blob = blob_append(blob, &len, der, derlen, derlen + 1);
    ck_assert_ptr_null(decode(blob, len));
    blob = blob_start(&len);
    blob = blob_append(blob, &len, der, derlen, 0xFFFFFFFFu);
    ck_assert_ptr_null(decode(blob, len));
    blob = blob_start(&len);
    blob = blob_append(blob, &len, der, derlen, 0x80000000u);
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

START_TEST(decode_rejects_trailing_garbage_in_der)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t derlen, len;
    unsigned char *der = tu_cert_der(ca.cert, &derlen);
    unsigned char *padded = apr_palloc(tu_pool, derlen + 2);
    unsigned char *blob;

    memcpy(padded, der, derlen);
    padded[derlen] = 0x00;
    padded[derlen + 1] = 0x00;
    blob = blob_start(&len);
    blob = blob_append(blob, &len, padded, derlen + 2, derlen + 2);
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

START_TEST(decode_rejects_short_der)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t derlen, len;
    unsigned char *der = tu_cert_der(ca.cert, &derlen);
    unsigned char *blob;

    /* the declared length is one short of the certificate */
    blob = blob_start(&len);
    blob = blob_append(blob, &len, der, derlen - 1, derlen - 1);
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

START_TEST(decode_rejects_not_a_certificate)
{
    static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
    size_t len;
    unsigned char *blob = blob_start(&len);

    blob = blob_append(blob, &len, junk, sizeof(junk), sizeof(junk));
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

START_TEST(decode_rejects_too_many)
{
    tu_cred_t ca = tu_make_ca("Blob CA");
    size_t derlen, len;
    unsigned char *der = tu_cert_der(ca.cert, &derlen);
    unsigned char *blob = blob_start(&len);
    int i;

    for (i = 0; i < CFAOP_CHAINBLOB_MAX_CERTS; i++)
        blob = blob_append(blob, &len, der, derlen, derlen);
    ck_assert_int_eq(sk_X509_num(decode(blob, len)), CFAOP_CHAINBLOB_MAX_CERTS);
    blob = blob_append(blob, &len, der, derlen, derlen);
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

/* A CA certificate whose DER is over CFAOP_CHAINBLOB_MAX_BYTES. */
static X509 *huge_cert(void)
{
    char *comment = apr_palloc(tu_pool, CFAOP_CHAINBLOB_MAX_BYTES + 1);
    tu_cert_opts_t o = { 0 };
    X509 *cert;
    size_t len;

    memset(comment, 'a', CFAOP_CHAINBLOB_MAX_BYTES);
    comment[CFAOP_CHAINBLOB_MAX_BYTES] = '\0';
    o.cn = "Huge CA";
    o.serial = 1;
    o.not_before = time(NULL) - TU_DAY;
    o.not_after = time(NULL) + TU_DAY;
    o.bc = TU_BC_CA;
    o.comment = comment;
    cert = tu_make_cert(&o).cert;
    tu_cert_der(cert, &len);
    ck_assert_uint_gt(len + 8, CFAOP_CHAINBLOB_MAX_BYTES);
    return cert;
}

START_TEST(encode_refuses_too_large)
{
    X509 *huge = huge_cert();
    unsigned char *out = (unsigned char *)"x";
    size_t len = 99;

    ck_assert_int_eq(cfaop_chainblob_encode(tu_make_ca("Leaf").cert, tu_stack(huge, NULL),
                                            &out, &len), 0);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(decode_rejects_too_large)
{
    X509 *huge = huge_cert();
    size_t derlen, len;
    unsigned char *der = tu_cert_der(huge, &derlen);
    unsigned char *blob = blob_start(&len);

    /* well formed in every other way */
    blob = blob_append(blob, &len, der, derlen, derlen);
    ck_assert_uint_gt(len, CFAOP_CHAINBLOB_MAX_BYTES);
    ck_assert_ptr_null(decode(blob, len));
}
END_TEST

Suite *chainblob_suite(void)
{
    Suite *s = suite_create("chainblob");
    TCase *tc = tu_tcase("chainblob");

    tcase_add_test(tc, round_trip_no_intermediate);
    tcase_add_test(tc, round_trip_null_chain);
    tcase_add_test(tc, round_trip_one_intermediate);
    tcase_add_test(tc, round_trip_three_intermediates);
    tcase_add_test(tc, leaf_excluded_by_content);
    tcase_add_test(tc, leaf_not_in_chain_keeps_all);
    tcase_add_test(tc, encode_limits);
    tcase_add_test(tc, decode_empty_is_empty_stack);
    tcase_add_test(tc, decode_magic_only_is_empty_stack);
    tcase_add_test(tc, decode_rejects_truncation);
    tcase_add_test(tc, decode_rejects_bad_magic);
    tcase_add_test(tc, decode_rejects_zero_length);
    tcase_add_test(tc, decode_rejects_oversize_length);
    tcase_add_test(tc, decode_rejects_trailing_garbage_in_der);
    tcase_add_test(tc, decode_rejects_short_der);
    tcase_add_test(tc, decode_rejects_not_a_certificate);
    tcase_add_test(tc, decode_rejects_too_many);
    tcase_add_test(tc, encode_refuses_too_large);
    tcase_add_test(tc, decode_rejects_too_large);
    suite_add_tcase(s, tc);
    return s;
}
