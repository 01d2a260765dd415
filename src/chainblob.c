/* SPDX-License-Identifier: Apache-2.0 */
/* chainblob.c: "CFA1" then, per certificate, a 4-byte big-endian length and the DER. */
#include "chainblob.h"

#include <string.h>
#include <openssl/crypto.h>

static const unsigned char magic[4] = { 'C', 'F', 'A', '1' };

int cfaop_chainblob_encode(X509 *leaf, STACK_OF(X509) *chain,
                           unsigned char **out, size_t *outlen)
{
    int i, n = chain ? sk_X509_num(chain) : 0, kept = 0;
    size_t total = sizeof(magic);
    unsigned char *buf, *p;

    *out = NULL;
    *outlen = 0;
    if (leaf == NULL)
        return 0;
    for (i = 0; i < n; i++) {
        X509 *cert = sk_X509_value(chain, i);
        int len;
        if (cert == leaf || X509_cmp(cert, leaf) == 0)
            continue;
        if ((len = i2d_X509(cert, NULL)) <= 0)
            return 0;
        total += 4 + (size_t)len;
        kept++;
    }
    if (kept > CFAOP_CHAINBLOB_MAX_CERTS || total > CFAOP_CHAINBLOB_MAX_BYTES)
        return 0;
    if ((buf = OPENSSL_malloc(total)) == NULL)
        return 0;
    memcpy(buf, magic, sizeof(magic));
    p = buf + sizeof(magic);
    for (i = 0; i < n; i++) {
        X509 *cert = sk_X509_value(chain, i);
        unsigned char *der;
        int len;
        if (cert == leaf || X509_cmp(cert, leaf) == 0)
            continue;
        len = i2d_X509(cert, NULL);
        p[0] = (unsigned char)(len >> 24);
        p[1] = (unsigned char)(len >> 16);
        p[2] = (unsigned char)(len >> 8);
        p[3] = (unsigned char)len;
        der = p + 4;
        i2d_X509(cert, &der);
        p = der;
    }
    *out = buf;
    *outlen = total;
    return 1;
}

STACK_OF(X509) *cfaop_chainblob_decode(const unsigned char *blob, size_t len)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    size_t pos = sizeof(magic);

    if (certs == NULL)
        return NULL;
    if (len == 0)
        return certs;
    if (len < sizeof(magic) || len > CFAOP_CHAINBLOB_MAX_BYTES
        || memcmp(blob, magic, sizeof(magic)) != 0)
        goto bad;
    while (pos < len) {
        const unsigned char *der;
        size_t certlen;
        X509 *cert;

        if (len - pos < 4 || sk_X509_num(certs) >= CFAOP_CHAINBLOB_MAX_CERTS)
            goto bad;
        certlen = ((size_t)blob[pos] << 24) | ((size_t)blob[pos + 1] << 16)
                  | ((size_t)blob[pos + 2] << 8) | blob[pos + 3];
        pos += 4;
        if (certlen == 0 || certlen > len - pos)
            goto bad;
        der = blob + pos;
        cert = d2i_X509(NULL, &der, (long)certlen);
        if (cert == NULL || der != blob + pos + certlen || !sk_X509_push(certs, cert)) {
            X509_free(cert);
            goto bad;
        }
        pos += certlen;
    }
    return certs;
bad:
    sk_X509_pop_free(certs, X509_free);
    return NULL;
}
