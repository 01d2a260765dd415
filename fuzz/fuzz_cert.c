/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_cert.c: arbitrary DER presented as a client's certificate chain and
 * judged as the handshake judges it (cfaop_judge) under a fixed policy made
 * once from the in-memory fuzz CA (depth 2), with a CRL, a deny list, pins
 * and the per-thread chain cache.
 *
 * Input: a mode byte, then DER certificates one after the other (the first
 * is the leaf, up to 4 more are the chain the client sends). Mode bits:
 *   0  re-sign the leaf with the fuzz CA (so it can pass the signature
 *      check and reach the dates, extensions, revocation, deny list, pins)
 *   1  re-sign the other certificates too (intermediates)
 *   2  checks without pins (so a chain can pass completely)
 *   3  leave the leaf out of the presented stack
 * Properties: the cache never changes a verdict (cached, cached again and
 * uncached agree); a pass is never denied, pinned away or revoked; every
 * failure maps to an X509 error (an alert); the verdict after a session
 * record round trip (what resumption re-judges) is the same; the log and
 * export formatting of the certificate works for any certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <openssl/x509v3.h>

#include "certinfo.h"
#include "codec.h"
#include "common.h"
#include "crl.h"
#include "export.h"
#include "judge.h"
#include "pin.h"
#include "policy.h"
#include "reason.h"
#include "serialset.h"
#include "sessionrec.h"

#define MAX_CERTS 5

static cfaop_policy_t *policy;
static cfaop_checks_t with_pins, without_pins;

static X509_CRL *make_crl(void)
{
    static const long revoked[] = { 0x0BAD, 0x0A1F00C0FFEE02 };
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *now = ASN1_TIME_new();
    size_t i;

    if (crl == NULL || now == NULL || !X509_CRL_set_version(crl, 1)
        || !ASN1_TIME_set_string_X509(now, "20240101000000Z")
        || !X509_CRL_set1_lastUpdate(crl, now))
        fuzz_fail(__FILE__, __LINE__, "CRL");
    for (i = 0; i < sizeof(revoked) / sizeof(revoked[0]); i++) {
        X509_REVOKED *entry = X509_REVOKED_new();
        ASN1_INTEGER *serial = ASN1_INTEGER_new();

        if (entry == NULL || serial == NULL || !ASN1_INTEGER_set(serial, revoked[i])
            || !X509_REVOKED_set_serialNumber(entry, serial)
            || !X509_REVOKED_set_revocationDate(entry, now) || !X509_CRL_add0_revoked(crl, entry))
            fuzz_fail(__FILE__, __LINE__, "CRL entry");
        ASN1_INTEGER_free(serial);
    }
    ASN1_TIME_free(now);
    if (!fuzz_sign_crl_by_ca(crl))
        fuzz_fail(__FILE__, __LINE__, "CRL signature");
    return crl;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_pool_t *pool;
    cfaop_anchor_set_t *set;
    const cfaop_anchor_set_t *sets[1];
    cfaop_serialset_t *deny;
    cfaop_pinset_t *pins;
    cfaop_revocation_t *crls;
    unsigned char digest[CFAOP_PIN_LEN];
    X509_CRL *crl;
    unsigned char *der = NULL;
    int len;
    const char *err = NULL;
    static const char *const denied[] = { "0A1F00C0FFEE01", "dec:3565", "0D:E1" };
    size_t i;

    (void)argc; (void)argv;
    fuzz_init();
    pool = fuzz_global_pool();
    if ((err = cfaop_anchor_set_load_pem(pool, fuzz_ca_pem(), "fuzz-ca.pem", 0, &set)) != NULL)
        fuzz_fail(__FILE__, __LINE__, err);
    sets[0] = set;
    if ((policy = cfaop_policy_create(pool, "zone", sets, 1, 2, &err)) == NULL)
        fuzz_fail(__FILE__, __LINE__, err);

    deny = cfaop_serialset_create(pool);
    for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
        cfaop_serial_t serial;
        if (cfaop_serial_parse(pool, denied[i], &serial) != NULL
            || cfaop_serialset_add(deny, &serial) != NULL)
            fuzz_fail(__FILE__, __LINE__, "deny set");
    }
    if (cfaop_serialset_freeze(deny) != NULL)
        fuzz_fail(__FILE__, __LINE__, "deny freeze");

    /* Pins: the fuzz leaf's certificate hash and SPKI hash. */
    pins = cfaop_pinset_create(pool);
    if (!cfaop_cert_sha256(fuzz_leaf(), digest)
        || cfaop_pinset_add_sha256(pins, cfaop_hex_encode(pool, "", digest, sizeof(digest), 0)) != NULL
        || !cfaop_spki_sha256(fuzz_leaf(), digest))
        fuzz_fail(__FILE__, __LINE__, "pins");
    {
        char b64[64];
        EVP_EncodeBlock((unsigned char *)b64, digest, sizeof(digest));
        if (cfaop_pinset_add_spki(pins, b64) != NULL)
            fuzz_fail(__FILE__, __LINE__, "spki pin");
    }

    crl = make_crl();
    len = i2d_X509_CRL(crl, &der);
    crls = cfaop_revocation_create(pool);
    if (len <= 0 || (err = cfaop_revocation_load_file(crls, fuzz_write_file(der, (size_t)len),
                                                      policy->store)) != NULL
        || (err = cfaop_revocation_freeze(crls)) != NULL)
        fuzz_fail(__FILE__, __LINE__, err ? err : "CRL encoding");
    OPENSSL_free(der);
    X509_CRL_free(crl);

    with_pins.crls = without_pins.crls = crls;
    with_pins.deny = without_pins.deny = deny;
    with_pins.pins = pins;
    without_pins.pins = NULL;
    return 0;
}

static void check_verdict(const cfaop_verdict_t *v)
{
    FUZZ_ASSERT(v->reason >= CFAOP_REASON_NONE && v->reason < CFAOP_REASON_COUNT);
    FUZZ_ASSERT(v->reason != CFAOP_REASON_NO_CERT && v->reason != CFAOP_REASON_HOST_MISMATCH);
    FUZZ_ASSERT(v->detail != NULL);
    FUZZ_ASSERT(cfaop_reason_name(v->reason) != NULL);
    if (v->reason != CFAOP_REASON_NONE)
        FUZZ_ASSERT(cfaop_reason_x509_error(v->reason, v->x509_error) != X509_V_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    fuzz_input_t in = { data, size };
    uint8_t mode = fuzz_byte(&in);
    const cfaop_checks_t *checks = (mode & 4) ? &without_pins : &with_pins;
    X509 *certs[MAX_CERTS];
    STACK_OF(X509) *presented = sk_X509_new_null();
    cfaop_verdict_t v1, v2, v3;
    time_t now = time(NULL);
    int n = 0, i, chain_ok;

    FUZZ_ASSERT(presented != NULL);
    while (n < MAX_CERTS && in.left > 0) {
        const unsigned char *p = in.p;
        X509 *cert = d2i_X509(NULL, &p, (long)in.left);

        if (cert == NULL)
            break;
        in.left -= (size_t)(p - in.p);
        in.p = p;
        certs[n++] = cert;
    }
    if (n == 0) {
        cfaop_judge(policy, checks, NULL, NULL, now, 1, &v1);
        FUZZ_ASSERT(v1.reason == CFAOP_REASON_NO_CERT);
        sk_X509_free(presented);
        fuzz_pool_done(pool);
        return 0;
    }
    if (mode & 1)
        fuzz_sign_by_ca(certs[0]);
    for (i = 1; i < n; i++)
        if (mode & 2)
            fuzz_sign_by_ca(certs[i]);
    for (i = (mode & 8) ? 1 : 0; i < n; i++)
        FUZZ_ASSERT(sk_X509_push(presented, certs[i]));

    /* Only a chain that verified is cached, so a first verdict that is a
     * chain error was a cache miss and a full verification: calling again,
     * cached or not, would repeat exactly that work. The second cached
     * call and the uncached one are made after a verified chain only
     * (which keeps a long run fast). */
    cfaop_judge(policy, checks, certs[0], presented, now, 1, &v1);
    chain_ok = v1.x509_error == X509_V_OK;
    if (chain_ok) {
        cfaop_judge(policy, checks, certs[0], presented, now, 1, &v2);
        cfaop_judge(policy, checks, certs[0], presented, now, 0, &v3);
    }
    else {
        v2 = v3 = v1;
    }
    check_verdict(&v1);
    check_verdict(&v2);
    check_verdict(&v3);
    if (getenv("FUZZ_TRACE") != NULL)
        fprintf(stderr, "fuzz_cert: %d certificate(s), mode %u: %s (%s)\n", n, mode,
                cfaop_reason_name(v3.reason), v3.detail);
    FUZZ_ASSERT(v1.reason == v3.reason && v2.reason == v3.reason);
    FUZZ_ASSERT(v1.x509_error == v3.x509_error && v2.x509_error == v3.x509_error);

    if (v3.reason == CFAOP_REASON_NONE) {
        FUZZ_ASSERT(!cfaop_serialset_contains_cert(checks->deny, certs[0]));
        FUZZ_ASSERT(checks->pins == NULL || cfaop_pinset_match(checks->pins, certs[0]));
    }

    /* What the glue logs and exports for this certificate. */
    {
        cfaop_export_t exp;
        apr_table_t *env = apr_table_make(pool, 8);
        const char *value;

        cfaop_export_build(pool, &v3, policy->name, certs[0], &exp);
        cfaop_export_to_table(&exp, env);
        value = apr_table_get(env, "CF_AOP_VERIFIED");
        FUZZ_ASSERT(value != NULL);
        FUZZ_ASSERT(v3.reason == CFAOP_REASON_NONE ? strcmp(value, "SUCCESS") == 0
                                                   : strncmp(value, "FAILED:", 7) == 0);
        FUZZ_ASSERT(exp.cert.subject_dn && exp.cert.issuer_dn && exp.cert.serial
                    && exp.cert.fingerprint && exp.cert.not_before && exp.cert.not_after);
        FUZZ_ASSERT(strlen(exp.cert.fingerprint) == 64);
    }

    /* Resumption: the session keeps the policy name and the intermediates;
     * judged again from that record, the verdict is the same. */
    {
        unsigned char *rec = NULL;
        size_t reclen = 0;

        if (cfaop_sessionrec_encode(policy->name, certs[0], presented, &rec, &reclen)) {
            const char *name = NULL;
            STACK_OF(X509) *chain = NULL;
            cfaop_verdict_t v4, v5;

            FUZZ_ASSERT(cfaop_sessionrec_decode(pool, rec, reclen, &name, &chain) == NULL);
            FUZZ_ASSERT(strcmp(name, policy->name) == 0);
            cfaop_judge(policy, checks, certs[0], chain, now, chain_ok, &v4);
            if (chain_ok)
                cfaop_judge(policy, checks, certs[0], chain, now, 0, &v5);
            else
                v5 = v4;
            FUZZ_ASSERT(v4.reason == v3.reason && v5.reason == v3.reason);
            sk_X509_pop_free(chain, X509_free);
            OPENSSL_free(rec);
        }
    }

    sk_X509_free(presented);
    for (i = 0; i < n; i++)
        X509_free(certs[i]);
    fuzz_pool_done(pool);
    return 0;
}
