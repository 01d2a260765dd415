/* SPDX-License-Identifier: Apache-2.0 */
/* test_reason.c: reason names, X509 error -> reason, and reason -> the X509
 * error whose TLS alert (by OpenSSL's own table) is the one the SPEC names. */
#include "test_util.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "reason.h"

/* ---- names ---------------------------------------------------------- */

static const struct {
    cfaop_reason_t reason;
    const char *name;
} names[] = {
    { CFAOP_REASON_NONE, "ok" },
    { CFAOP_REASON_NO_CERT, "no-cert" },
    { CFAOP_REASON_UNTRUSTED, "untrusted" },
    { CFAOP_REASON_EXPIRED, "expired" },
    { CFAOP_REASON_NOT_YET_VALID, "not-yet-valid" },
    { CFAOP_REASON_REVOKED, "revoked" },
    { CFAOP_REASON_DENIED_SERIAL, "denied-serial" },
    { CFAOP_REASON_PIN_MISMATCH, "pin-mismatch" },
    { CFAOP_REASON_DEPTH_EXCEEDED, "depth-exceeded" },
    { CFAOP_REASON_BAD_SIGNATURE, "bad-signature" },
    { CFAOP_REASON_INVALID, "invalid" },
    { CFAOP_REASON_HOST_MISMATCH, "host-mismatch" },
};
#define NNAMES ((int)(sizeof(names) / sizeof(names[0])))

START_TEST(name_is_spec_spelling)
{
    ck_assert_str_eq(cfaop_reason_name(names[_i].reason), names[_i].name);
}
END_TEST

START_TEST(every_reason_is_named_once)
{
    int r, s;

    /* The table above covers the whole enum: a new reason must be added here. */
    ck_assert_int_eq(CFAOP_REASON_COUNT, NNAMES);
    for (r = 0; r < CFAOP_REASON_COUNT; r++) {
        ck_assert_ptr_nonnull(cfaop_reason_name((cfaop_reason_t)r));
        for (s = r + 1; s < CFAOP_REASON_COUNT; s++)
            ck_assert_str_ne(cfaop_reason_name((cfaop_reason_t)r),
                             cfaop_reason_name((cfaop_reason_t)s));
    }
}
END_TEST

START_TEST(out_of_range_reason_is_invalid)
{
    ck_assert_str_eq(cfaop_reason_name(CFAOP_REASON_COUNT), "invalid");
    ck_assert_str_eq(cfaop_reason_name((cfaop_reason_t)1000), "invalid");
    ck_assert_str_eq(cfaop_reason_name((cfaop_reason_t)-1), "invalid");
}
END_TEST

/* ---- X509 error -> reason ------------------------------------------ */

static const struct {
    int x509_error;
    cfaop_reason_t reason;
} from_x509[] = {
    { X509_V_OK, CFAOP_REASON_NONE },
    { X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, CFAOP_REASON_UNTRUSTED },
    { X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CFAOP_REASON_UNTRUSTED },
    { X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, CFAOP_REASON_UNTRUSTED },
    { X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, CFAOP_REASON_UNTRUSTED },
    { X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, CFAOP_REASON_UNTRUSTED },
    { X509_V_ERR_CERT_UNTRUSTED, CFAOP_REASON_UNTRUSTED },
    { X509_V_ERR_CERT_SIGNATURE_FAILURE, CFAOP_REASON_BAD_SIGNATURE },
    { X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, CFAOP_REASON_BAD_SIGNATURE },
    { X509_V_ERR_CERT_CHAIN_TOO_LONG, CFAOP_REASON_DEPTH_EXCEEDED },
    { X509_V_ERR_PATH_LENGTH_EXCEEDED, CFAOP_REASON_DEPTH_EXCEEDED },
    { X509_V_ERR_CERT_HAS_EXPIRED, CFAOP_REASON_EXPIRED },
    { X509_V_ERR_CERT_NOT_YET_VALID, CFAOP_REASON_NOT_YET_VALID },
    { X509_V_ERR_CERT_REVOKED, CFAOP_REASON_REVOKED },
    /* anything else is "invalid" */
    { X509_V_ERR_INVALID_PURPOSE, CFAOP_REASON_INVALID },
    { X509_V_ERR_INVALID_CA, CFAOP_REASON_INVALID },
    { X509_V_ERR_INVALID_EXTENSION, CFAOP_REASON_INVALID },
    { X509_V_ERR_KEYUSAGE_NO_CERTSIGN, CFAOP_REASON_INVALID },
    { X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, CFAOP_REASON_INVALID },
    { X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, CFAOP_REASON_INVALID },
    { X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, CFAOP_REASON_INVALID },
    { X509_V_ERR_CERT_REJECTED, CFAOP_REASON_INVALID },
    { X509_V_ERR_UNSPECIFIED, CFAOP_REASON_INVALID },
    { X509_V_ERR_OUT_OF_MEM, CFAOP_REASON_INVALID },
    { 99999, CFAOP_REASON_INVALID },
};
#define NFROM ((int)(sizeof(from_x509) / sizeof(from_x509[0])))

START_TEST(reason_from_x509_error)
{
    ck_assert_msg(cfaop_reason_from_x509_error(from_x509[_i].x509_error) == from_x509[_i].reason,
                  "X509 error %d (%s): got reason %s, expected %s",
                  from_x509[_i].x509_error,
                  X509_verify_cert_error_string(from_x509[_i].x509_error),
                  cfaop_reason_name(cfaop_reason_from_x509_error(from_x509[_i].x509_error)),
                  cfaop_reason_name(from_x509[_i].reason));
}
END_TEST

/* ---- reason -> X509 error ------------------------------------------ */

static const struct {
    cfaop_reason_t reason;
    int original;
    int x509_error;
} to_x509[] = {
    { CFAOP_REASON_NONE, X509_V_OK, X509_V_OK },
    { CFAOP_REASON_UNTRUSTED, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
      X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
    { CFAOP_REASON_UNTRUSTED, X509_V_ERR_CERT_UNTRUSTED,
      X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY },
    { CFAOP_REASON_EXPIRED, X509_V_OK, X509_V_ERR_CERT_HAS_EXPIRED },
    { CFAOP_REASON_NOT_YET_VALID, X509_V_OK, X509_V_ERR_CERT_NOT_YET_VALID },
    { CFAOP_REASON_REVOKED, X509_V_OK, X509_V_ERR_CERT_REVOKED },
    { CFAOP_REASON_DENIED_SERIAL, X509_V_OK, X509_V_ERR_CERT_REVOKED },
    { CFAOP_REASON_BAD_SIGNATURE, X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE,
      X509_V_ERR_CERT_SIGNATURE_FAILURE },
    { CFAOP_REASON_INVALID, X509_V_ERR_INVALID_PURPOSE, X509_V_ERR_INVALID_PURPOSE },
    { CFAOP_REASON_INVALID, X509_V_ERR_INVALID_CA, X509_V_ERR_INVALID_CA },
    { CFAOP_REASON_INVALID, X509_V_ERR_CERT_CHAIN_TOO_LONG, X509_V_ERR_CERT_CHAIN_TOO_LONG },
    /* depth-exceeded, pin-mismatch, host-mismatch, no-cert and invalid
     * without an original error: any X509 error will do that gives the
     * SPEC's alert, see reason_gives_spec_alert below */
};
#define NTO ((int)(sizeof(to_x509) / sizeof(to_x509[0])))

START_TEST(reason_to_x509_error)
{
    int got = cfaop_reason_x509_error(to_x509[_i].reason, to_x509[_i].original);
    ck_assert_msg(got == to_x509[_i].x509_error,
                  "reason %s (original %d): got X509 error %d (%s), expected %d (%s)",
                  cfaop_reason_name(to_x509[_i].reason), to_x509[_i].original,
                  got, X509_verify_cert_error_string(got), to_x509[_i].x509_error,
                  X509_verify_cert_error_string(to_x509[_i].x509_error));
}
END_TEST

START_TEST(failure_never_maps_to_ok)
{
    int r;

    /* Whatever the original error, a failed verdict must stay a failure. */
    for (r = CFAOP_REASON_NONE + 1; r < CFAOP_REASON_COUNT; r++) {
        ck_assert_msg(cfaop_reason_x509_error((cfaop_reason_t)r, X509_V_OK) != X509_V_OK,
                      "reason %s maps to X509_V_OK", cfaop_reason_name((cfaop_reason_t)r));
        ck_assert_msg(cfaop_reason_x509_error((cfaop_reason_t)r, X509_V_ERR_CERT_HAS_EXPIRED)
                      != X509_V_OK, "reason %s maps to X509_V_OK",
                      cfaop_reason_name((cfaop_reason_t)r));
    }
    ck_assert_int_ne(cfaop_reason_x509_error(CFAOP_REASON_COUNT, X509_V_OK), X509_V_OK);
}
END_TEST

/* ---- the alert OpenSSL sends ----------------------------------------
 * A TLS 1.2 handshake in memory: the server's verify callback leaves
 * cfaop_reason_x509_error(reason) in the store context, as the glue does,
 * and the client records the alert it receives. This checks the choice of
 * X509 error against OpenSSL's own error-to-alert table. */

static const struct {
    cfaop_reason_t reason;
    int original;
    int alert;
} alerts[] = {
    { CFAOP_REASON_NO_CERT, X509_V_OK, SSL_AD_HANDSHAKE_FAILURE },
    { CFAOP_REASON_UNTRUSTED, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, SSL_AD_UNKNOWN_CA },
    { CFAOP_REASON_EXPIRED, X509_V_OK, SSL_AD_CERTIFICATE_EXPIRED },
    { CFAOP_REASON_NOT_YET_VALID, X509_V_OK, SSL_AD_BAD_CERTIFICATE },
    { CFAOP_REASON_REVOKED, X509_V_OK, SSL_AD_CERTIFICATE_REVOKED },
    { CFAOP_REASON_DENIED_SERIAL, X509_V_OK, SSL_AD_CERTIFICATE_REVOKED },
    { CFAOP_REASON_BAD_SIGNATURE, X509_V_OK, SSL_AD_DECRYPT_ERROR },
    /* depth-exceeded is bad_certificate, whatever error OpenSSL saw */
    { CFAOP_REASON_DEPTH_EXCEEDED, X509_V_OK, SSL_AD_BAD_CERTIFICATE },
    { CFAOP_REASON_DEPTH_EXCEEDED, X509_V_ERR_CERT_CHAIN_TOO_LONG, SSL_AD_BAD_CERTIFICATE },
    { CFAOP_REASON_PIN_MISMATCH, X509_V_OK, SSL_AD_BAD_CERTIFICATE },
    { CFAOP_REASON_HOST_MISMATCH, X509_V_OK, SSL_AD_BAD_CERTIFICATE },
    /* invalid keeps OpenSSL's own alert for the original error */
    { CFAOP_REASON_INVALID, X509_V_ERR_INVALID_PURPOSE, SSL_AD_UNSUPPORTED_CERTIFICATE },
    { CFAOP_REASON_INVALID, X509_V_ERR_INVALID_CA, SSL_AD_UNKNOWN_CA },
    { CFAOP_REASON_INVALID, X509_V_OK, SSL_AD_BAD_CERTIFICATE },
};
#define NALERTS ((int)(sizeof(alerts) / sizeof(alerts[0])))

static int forced_error;
static int client_read_alert;
static int server_sent_alert;

static int force_error_cb(int ok, X509_STORE_CTX *ctx)
{
    X509_STORE_CTX_set_error(ctx, forced_error);
    return 0;
}

static void client_info_cb(const SSL *ssl, int where, int ret)
{
    if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT && client_read_alert < 0)
        client_read_alert = ret & 0xff;
}

static void server_info_cb(const SSL *ssl, int where, int ret)
{
    if ((where & SSL_CB_WRITE_ALERT) == SSL_CB_WRITE_ALERT && server_sent_alert < 0)
        server_sent_alert = ret & 0xff;
}

static int step(SSL *ssl, int *done)
{
    int rv, err;

    if (*done)
        return 0;
    rv = SSL_do_handshake(ssl);
    err = SSL_get_error(ssl, rv);
    if (rv == 1 || (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE))
        *done = rv == 1 ? 1 : -1;
    return 1;
}

START_TEST(reason_gives_spec_alert)
{
    time_t now = time(NULL);
    tu_cred_t ca = tu_make_ca("Alert CA");
    tu_cred_t client = tu_make_leaf("client", &ca, 7, now - TU_DAY, now + TU_DAY);
    tu_cert_opts_t so = { 0 };
    tu_cred_t server;
    SSL_CTX *sctx, *cctx;
    SSL *s, *c;
    BIO *sbio, *cbio;
    int sdone = 0, cdone = 0, i;

    so.cn = "server";
    so.serial = 9;
    so.not_before = now - TU_DAY;
    so.not_after = now + TU_DAY;
    so.bc = TU_BC_LEAF;
    so.eku = "serverAuth";
    server = tu_make_cert(&so);

    forced_error = cfaop_reason_x509_error(alerts[_i].reason, alerts[_i].original);
    client_read_alert = server_sent_alert = -1;

    sctx = SSL_CTX_new(TLS_server_method());
    cctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(sctx);
    ck_assert_ptr_nonnull(cctx);
    ck_assert_int_eq(SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION), 1);
    ck_assert_int_eq(SSL_CTX_use_certificate(sctx, server.cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(sctx, server.key), 1);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, force_error_cb);
    SSL_CTX_set_info_callback(sctx, server_info_cb);
    ck_assert_int_eq(SSL_CTX_use_certificate(cctx, client.cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(cctx, client.key), 1);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_info_callback(cctx, client_info_cb);

    s = SSL_new(sctx);
    c = SSL_new(cctx);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(BIO_new_bio_pair(&sbio, 0, &cbio, 0), 1);
    SSL_set_bio(s, sbio, sbio);
    SSL_set_bio(c, cbio, cbio);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);

    for (i = 0; i < 50 && !(sdone && cdone); i++) {
        step(c, &cdone);
        step(s, &sdone);
    }
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    ERR_clear_error();

    ck_assert_int_eq(sdone, -1);
    ck_assert_int_eq(cdone, -1);
    ck_assert_msg(server_sent_alert == alerts[_i].alert,
                  "reason %s (X509 error %d): server sent alert %d (%s), expected %d (%s)",
                  cfaop_reason_name(alerts[_i].reason), forced_error, server_sent_alert,
                  SSL_alert_desc_string_long(server_sent_alert), alerts[_i].alert,
                  SSL_alert_desc_string_long(alerts[_i].alert));
    ck_assert_int_eq(client_read_alert, alerts[_i].alert);
}
END_TEST

Suite *reason_suite(void)
{
    Suite *s = suite_create("reason");
    TCase *tc = tu_tcase("reason");

    tcase_add_loop_test(tc, name_is_spec_spelling, 0, NNAMES);
    tcase_add_test(tc, every_reason_is_named_once);
    tcase_add_test(tc, out_of_range_reason_is_invalid);
    tcase_add_loop_test(tc, reason_from_x509_error, 0, NFROM);
    tcase_add_loop_test(tc, reason_to_x509_error, 0, NTO);
    tcase_add_test(tc, failure_never_maps_to_ok);
    tcase_add_loop_test(tc, reason_gives_spec_alert, 0, NALERTS);
    suite_add_tcase(s, tc);
    return s;
}
