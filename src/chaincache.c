/* SPDX-License-Identifier: Apache-2.0 */
/* chaincache.c: a direct-mapped, per-thread table; no locks, no sharing.
 * Only successes are kept, with the window in which every certificate of
 * the chain is valid, so that time is still checked on every handshake. */
#include "chaincache.h"
#include "certinfo.h"

#include <pthread.h>
#include <string.h>
#include <openssl/evp.h>

typedef struct {
    cfaop_chain_digest_t digest;
    const cfaop_policy_t *policy;
    unsigned long generation;
    time_t valid_from;
    time_t valid_until;
    STACK_OF(X509) *verified;
} cache_slot_t;

static unsigned long current_generation = 1;
static __thread cache_slot_t slots[CFAOP_CHAINCACHE_SLOTS];

/* A thread's chains die with its __thread storage, which nothing frees;
 * a key with a destructor gets them freed when a worker thread exits. */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int exit_key_ok;
static __thread int exit_key_armed;

static void release_slots(void)
{
    int i;

    for (i = 0; i < CFAOP_CHAINCACHE_SLOTS; i++) {
        sk_X509_pop_free(slots[i].verified, X509_free);
        memset(&slots[i], 0, sizeof(slots[i]));
    }
}

static void release_on_exit(void *unused)
{
    (void)unused;
    release_slots();
    exit_key_armed = 0;
}

static void create_exit_key(void)
{
    exit_key_ok = pthread_key_create(&exit_key, release_on_exit) == 0;
}

/* Any non-NULL value makes the destructor run; the slots are found
 * through the __thread array, which is still there while it runs. */
static void arm_release_on_exit(void)
{
    if (exit_key_armed)
        return;
    pthread_once(&exit_key_once, create_exit_key);
    if (exit_key_ok && pthread_setspecific(exit_key, &exit_key_ok) == 0)
        exit_key_armed = 1;
}

/* The key's value is cleared too: once this runs the module may be
 * unloaded (a restart in one-process mode), and a destructor left armed
 * would point into it. */
void cfaop_chaincache_release_thread(void)
{
    release_slots();
    if (exit_key_armed) {
        pthread_setspecific(exit_key, NULL);
        exit_key_armed = 0;
    }
}

void cfaop_chaincache_new_generation(void)
{
    current_generation++;
}

static int digest_cert(EVP_MD_CTX *md, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der), ok;

    ok = len > 0 && EVP_DigestUpdate(md, der, (size_t)len);
    OPENSSL_free(der);
    return ok;
}

int cfaop_chain_digest(X509 *leaf, STACK_OF(X509) *presented, cfaop_chain_digest_t *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 0;
    int i, ok;

    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) && digest_cert(md, leaf);
    for (i = 0; ok && i < sk_X509_num(presented); i++) {
        X509 *cert = sk_X509_value(presented, i);
        if (cert != leaf && X509_cmp(cert, leaf) != 0)
            ok = digest_cert(md, cert);
    }
    ok = ok && EVP_DigestFinal_ex(md, out->digest, &len) && len == sizeof(out->digest);
    EVP_MD_CTX_free(md);
    return ok;
}

static cache_slot_t *slot_for(const cfaop_chain_digest_t *digest)
{
    unsigned int index;

    memcpy(&index, digest->digest, sizeof(index));
    return &slots[index % CFAOP_CHAINCACHE_SLOTS];
}

/* The latest notBefore and the earliest notAfter of the chain. */
static int validity_window(STACK_OF(X509) *chain, time_t *from, time_t *until)
{
    int i;

    if (sk_X509_num(chain) <= 0)
        return 0;
    for (i = 0; i < sk_X509_num(chain); i++) {
        X509 *cert = sk_X509_value(chain, i);
        time_t t;

        if (!cfaop_time_epoch(X509_get0_notBefore(cert), &t))
            return 0;
        if (i == 0 || t > *from)
            *from = t;
        if (!cfaop_time_epoch(X509_get0_notAfter(cert), &t))
            return 0;
        if (i == 0 || t < *until)
            *until = t;
    }
    return 1;
}

STACK_OF(X509) *cfaop_chaincache_lookup(const cfaop_chain_digest_t *digest,
                                        const cfaop_policy_t *policy, time_t now)
{
    cache_slot_t *slot = slot_for(digest);

    if (slot->verified != NULL && slot->policy == policy
        && slot->generation == current_generation
        && memcmp(slot->digest.digest, digest->digest, sizeof(digest->digest)) == 0
        /* As OpenSSL: valid from notBefore on, expired at notAfter itself. */
        && now >= slot->valid_from && now < slot->valid_until) {
        return slot->verified;
    }
    return NULL;
}

void cfaop_chaincache_store(const cfaop_chain_digest_t *digest,
                            const cfaop_policy_t *policy, STACK_OF(X509) *verified)
{
    cache_slot_t *slot = slot_for(digest);
    time_t from = 0, until = 0;

    if (!validity_window(verified, &from, &until)) {
        sk_X509_pop_free(verified, X509_free);
        return;
    }
    arm_release_on_exit();
    sk_X509_pop_free(slot->verified, X509_free);
    slot->digest = *digest;
    slot->policy = policy;
    slot->generation = current_generation;
    slot->valid_from = from;
    slot->valid_until = until;
    slot->verified = verified;
}
