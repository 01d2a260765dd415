/* SPDX-License-Identifier: Apache-2.0 */
/* revgen.c: the revocation data of bench/run.sh, made with the OpenSSL API
 * (the openssl CLI's `ca -gencrl` needs an index.txt of N lines and takes
 * minutes for a million entries; this takes seconds).
 *
 * Usage: revgen CA_CERT CA_KEY N DENY_OUT|- CRL_OUT|-
 *   Makes N distinct random 20-octet serials (first octet 0x01..0x7f, as a
 *   CA issues them) and writes them
 *     DENY_OUT: one upper-case hex serial a line (a CFAOPDenySerialFile)
 *     CRL_OUT:  one PEM CRL (v2, lastUpdate an hour ago, nextUpdate in 7
 *               days) revoking exactly these serials, signed with CA_KEY
 *               by CA_CERT's subject (SHA-256)
 *   so that both files hold the same revocations.  Prints on stdout one
 *   line "member=<HEX>": a serial that is in both, for issuing a leaf that
 *   must be refused.
 *
 * Build: cc -O2 -o revgen revgen.c -lcrypto
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "splitmix64.h"

#define SERIAL_LEN 20

static uint64_t state;

/* Serial i of the list: a counter in the last 4 octets keeps the serials
 * distinct; the rest is random. */
static void serial_at(unsigned long i, unsigned char out[SERIAL_LEN])
{
    int k;

    for (k = 0; k < 16; k += 8) {
        uint64_t r = splitmix64(&state);
        memcpy(out + k, &r, 8);
    }
    out[0] = (unsigned char)((out[0] & 0x7f) | 0x01);
    out[16] = (unsigned char)(i >> 24);
    out[17] = (unsigned char)(i >> 16);
    out[18] = (unsigned char)(i >> 8);
    out[19] = (unsigned char)i;
}

static void to_hex(const unsigned char *b, int n, char *out)
{
    static const char d[] = "0123456789ABCDEF";
    int i;

    for (i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static void fail(const char *what)
{
    fprintf(stderr, "revgen: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *deny_path, *crl_path;
    unsigned long n, i, member;
    unsigned char (*serials)[SERIAL_LEN];
    char hex[2 * SERIAL_LEN + 1];
    X509 *ca = NULL;
    EVP_PKEY *key = NULL;
    FILE *f;

    if (argc != 6 || (n = strtoul(argv[3], NULL, 10)) == 0 || n > 0xffffffffUL) {
        fprintf(stderr, "usage: revgen CA_CERT CA_KEY N DENY_OUT|- CRL_OUT|-\n");
        return 2;
    }
    deny_path = strcmp(argv[4], "-") ? argv[4] : NULL;
    crl_path = strcmp(argv[5], "-") ? argv[5] : NULL;

    state = (uint64_t)time(NULL) ^ ((uint64_t)n << 32);
    if ((serials = malloc(n * sizeof(*serials))) == NULL)
        fail("out of memory");
    for (i = 0; i < n; i++)
        serial_at(i, serials[i]);
    member = n / 2;

    if (deny_path != NULL) {
        if ((f = fopen(deny_path, "w")) == NULL)
            fail(deny_path);
        fprintf(f, "# bench: %lu serials, the same as the CRL's\n", n);
        for (i = 0; i < n; i++) {
            to_hex(serials[i], SERIAL_LEN, hex);
            fputs(hex, f);
            fputc('\n', f);
        }
        if (fclose(f) != 0)
            fail(deny_path);
    }

    if (crl_path != NULL) {
        X509_CRL *crl = X509_CRL_new();
        ASN1_TIME *t = ASN1_TIME_set(NULL, time(NULL) - 3600);
        BIGNUM *bn = BN_new();

        if ((f = fopen(argv[1], "r")) == NULL || (ca = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
            fail("cannot read the CA certificate");
        fclose(f);
        if ((f = fopen(argv[2], "r")) == NULL || (key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
            fail("cannot read the CA key");
        fclose(f);
        if (crl == NULL || t == NULL || bn == NULL
            || !X509_CRL_set_version(crl, X509_CRL_VERSION_2)
            || !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca))
            || !X509_CRL_set1_lastUpdate(crl, t))
            fail("cannot set up the CRL");
        for (i = 0; i < n; i++) {
            X509_REVOKED *entry = X509_REVOKED_new();
            ASN1_INTEGER *ai;

            if (entry == NULL || BN_bin2bn(serials[i], SERIAL_LEN, bn) == NULL
                || (ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL
                || !X509_REVOKED_set_serialNumber(entry, ai)
                || !X509_REVOKED_set_revocationDate(entry, t)
                || !X509_CRL_add0_revoked(crl, entry))
                fail("cannot add a CRL entry");
            ASN1_INTEGER_free(ai);
        }
        if (ASN1_TIME_set(t, time(NULL) + 7 * 86400) == NULL || !X509_CRL_set1_nextUpdate(crl, t)
            || !X509_CRL_sort(crl) || !X509_CRL_sign(crl, key, EVP_sha256()))
            fail("cannot sign the CRL");
        if ((f = fopen(crl_path, "w")) == NULL || !PEM_write_X509_CRL(f, crl) || fclose(f) != 0)
            fail(crl_path);
        X509_CRL_free(crl);
        ASN1_TIME_free(t);
        BN_free(bn);
        X509_free(ca);
        EVP_PKEY_free(key);
    }

    to_hex(serials[member], SERIAL_LEN, hex);
    printf("member=%s\n", hex);
    free(serials);
    return 0;
}
