/* SPDX-License-Identifier: Apache-2.0 */
/* verify_cost.c: instructions the engine spends judging one fixed chain,
 * against plain X509_verify_cert on the same chain and store. Run under
 * `valgrind --tool=callgrind` (bench/verify-cost.sh does): instruction
 * counts are stable where seconds are not.
 * Usage: verify_cost MODE N ca.pem leaf.pem [chain.pem]
 *   MODE: plain | engine | engine-nocache | none (setup only, to subtract) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "anchors.h"
#include "judge.h"
#include "policy.h"

static STACK_OF(X509) *read_certs(const char *path)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    FILE *f = fopen(path, "r");
    X509 *cert;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    while ((cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        sk_X509_push(certs, cert);
    fclose(f);
    return certs;
}

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    cfaop_anchor_set_t *set;
    const cfaop_anchor_set_t *sets[1];
    cfaop_policy_t *policy;
    STACK_OF(X509) *presented;
    X509 *leaf;
    const char *err;
    long i, n;
    int failures = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: %s plain|engine|engine-nocache|none N ca.pem leaf.pem [chain.pem]\n", argv[0]);
        return 2;
    }
    n = strtol(argv[2], NULL, 10);
    apr_initialize();
    apr_pool_create(&pool, NULL);
    if ((err = cfaop_anchor_set_load_file(pool, argv[3], &set)) != NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    sets[0] = set;
    if ((policy = cfaop_policy_create(pool, "zone", sets, 1, 2, &err)) == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    presented = read_certs(argv[4]);
    if (argc > 5) {
        STACK_OF(X509) *more = read_certs(argv[5]);
        while (sk_X509_num(more) > 0)
            sk_X509_push(presented, sk_X509_shift(more));
        sk_X509_free(more);
    }
    leaf = sk_X509_value(presented, 0);

    for (i = 0; i < n; i++) {
        if (!strcmp(argv[1], "plain")) {
            /* what mod_ssl's recipe asks of OpenSSL for each handshake */
            X509_STORE_CTX *ctx = X509_STORE_CTX_new();
            X509_STORE_CTX_init(ctx, policy->store, leaf, presented);
            X509_STORE_CTX_set_default(ctx, "ssl_client");
            failures += X509_verify_cert(ctx) != 1;
            X509_STORE_CTX_free(ctx);
        }
        else if (!strcmp(argv[1], "engine") || !strcmp(argv[1], "engine-nocache")) {
            cfaop_verdict_t verdict;
            cfaop_judge(policy, NULL, leaf, presented, time(NULL), argv[1][6] == '\0', &verdict);
            failures += verdict.reason != CFAOP_REASON_NONE;
        }
    }
    printf("%s: %ld iterations, %d failures\n", argv[1], n, failures);
    sk_X509_pop_free(presented, X509_free);
    apr_pool_destroy(pool);
    apr_terminate();
    return failures ? 1 : 0;
}
