/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_anchors.c: a CFAOPTrustedCA / CFAOPHostnameCA / CFAOPClientCA file's
 * contents (PEM blocks or one DER certificate) through the anchor loader;
 * an accepted set holds only CAs and builds a policy; the configuration
 * warnings and name formatting work for whatever certificate it holds. */
#include <string.h>
#include <time.h>
#include <openssl/x509v3.h>

#include "anchors.h"
#include "certinfo.h"
#include "common.h"
#include "policy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    char *text = fuzz_cstr(pool, data, size);
    cfaop_anchor_set_t *set = NULL;
    const char *err;
    int i;

    /* The memory loader reads up to the first NUL, as a file's text. */
    err = cfaop_anchor_set_load_pem(pool, text, "fuzz-ca.pem", 0, &set);
    if (err != NULL) {
        FUZZ_ASSERT(*err != '\0');
    }
    else {
        const cfaop_anchor_set_t *sets[1] = { set };
        cfaop_policy_t *policy;
        const char *why = NULL;

        FUZZ_ASSERT(set != NULL && sk_X509_num(set->certs) > 0);
        for (i = 0; i < sk_X509_num(set->certs); i++) {
            X509 *cert = sk_X509_value(set->certs, i);

            FUZZ_ASSERT(cfaop_anchor_check_ca(pool, cert) == NULL);
            FUZZ_ASSERT(X509_check_ca(cert) != 0);
            (void)cfaop_anchor_expiry_warning(pool, cert, time(NULL), 30);
            FUZZ_ASSERT(cfaop_format_dn(pool, X509_get_subject_name(cert)) != NULL);
        }
        policy = cfaop_policy_create(pool, "zone", sets, 1, 1, &why);
        FUZZ_ASSERT(policy != NULL || why != NULL);
        if (policy != NULL)
            FUZZ_ASSERT(sk_X509_NAME_num(policy->ca_names) >= 1);
    }
    fuzz_pool_done(pool);
    return 0;
}
