/* SPDX-License-Identifier: Apache-2.0 */
/* sessionrec.c: the session record's encoding. */
#include "sessionrec.h"
#include "chainblob.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>

static const unsigned char magic[4] = { 'C', 'F', 'S', '1' };

int cfaop_sessionrec_encode(const char *policy_name, X509 *leaf, STACK_OF(X509) *chain,
                            unsigned char **out, size_t *outlen)
{
    size_t namelen = strlen(policy_name), bloblen, total;
    unsigned char *blob, *rec;

    *out = NULL;
    *outlen = 0;
    if (namelen > CFAOP_SESSIONREC_NAME_MAX || !cfaop_chainblob_encode(leaf, chain, &blob, &bloblen))
        return 0;
    total = sizeof(magic) + 1 + namelen + bloblen;
    if ((rec = OPENSSL_malloc(total)) != NULL) {
        memcpy(rec, magic, sizeof(magic));
        rec[sizeof(magic)] = (unsigned char)namelen;
        memcpy(rec + sizeof(magic) + 1, policy_name, namelen);
        memcpy(rec + sizeof(magic) + 1 + namelen, blob, bloblen);
        *out = rec;
        *outlen = total;
    }
    OPENSSL_free(blob);
    return rec != NULL;
}

const char *cfaop_sessionrec_decode(apr_pool_t *pool, const unsigned char *rec, size_t len,
                                    const char **policy_name, STACK_OF(X509) **chain)
{
    size_t namelen;

    *policy_name = NULL;
    *chain = NULL;
    if (len < sizeof(magic) + 1 || memcmp(rec, magic, sizeof(magic)) != 0)
        return "not a session record of this module";
    namelen = rec[sizeof(magic)];
    if (len - sizeof(magic) - 1 < namelen)
        return "truncated session record";
    if ((*chain = cfaop_chainblob_decode(rec + sizeof(magic) + 1 + namelen,
                                         len - sizeof(magic) - 1 - namelen)) == NULL)
        return "malformed chain in the session record";
    *policy_name = apr_pstrmemdup(pool, (const char *)rec + sizeof(magic) + 1, namelen);
    return NULL;
}
