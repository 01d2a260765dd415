/* SPDX-License-Identifier: Apache-2.0 */
/* serialset_load.c: what a 1,000,000-serial deny list (or the same serials
 * as one CRL) costs the engine: load time, memory added, and the lookup.
 *
 * Usage: serialset_load [deny|crl] [N]      (default: deny 1000000)
 *   deny: writes N random 20-octet serials, one a line (bare hex, with some
 *         colon-separated, dec: and commented lines), loads the file with
 *         cfaop_denyfile_load and freezes the set.
 *   crl:  makes a CA and one PEM CRL of N such serials signed by it, loads
 *         it with cfaop_revocation_load_file (signature check included).
 * Prints load time, the growth of VmRSS and of the peak (VmHWM, reset just
 * before the load where the kernel allows it) from /proc/self/status, and
 * ns per lookup for 1,000,000 hits and 1,000,000 misses (for crl: per
 * cfaop_revocation_check of a leaf + CA chain, which is the handshake's work;
 * for deny: in the set itself, and through a vhost's set that includes it by
 * reference, as every vhost naming a shared deny file sees it).
 *
 * Build (after `make`):
 *   cc -O2 -std=gnu11 -Isrc $(apxs -q EXTRA_CPPFLAGS) -I$(apxs -q APR_INCLUDEDIR) \
 *      bench/serialset_load.c build/libcfaop.a -lapr-1 -lssl -lcrypto -o build/serialset_load
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "denyfile.h"
#include "serial.h"
#include "serialset.h"
#include "splitmix64.h"

#define LOOKUPS 1000000

static uint64_t rng_state;

/* The i-th serial of a stream: 20 random octets, first one below 0x80 so
 * that it is what a CA issues (positive, 20 octets in DER). */
static void nth_serial(uint64_t seed, unsigned long i, unsigned char out[20])
{
    int k;

    rng_state = seed ^ ((uint64_t)i * UINT64_C(0x2545f4914f6cdd1d));
    for (k = 0; k < 20; k += 4) {
        uint64_t r = splitmix64(&rng_state);
        memcpy(out + k, &r, 4);
    }
    out[0] = (unsigned char)((out[0] & 0x7f) | 0x01);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long value = -1;
    size_t n = strlen(field);

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            value = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return value;
}

/* Linux >= 4.0: writing 5 to clear_refs resets VmHWM to the current RSS. */
static int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    int ok;

    if (f == NULL)
        return 0;
    ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

static void hex(const unsigned char *b, int n, char *out)
{
    static const char d[] = "0123456789ABCDEF";
    int i;
    for (i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static void write_deny_file(const char *path, unsigned long n)
{
    FILE *f = fopen(path, "w");
    unsigned char s[20];
    char h[41];
    unsigned long i;
    int k;

    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fprintf(f, "# %lu serials\n", n);
    for (i = 0; i < n; i++) {
        nth_serial(1, i, s);
        hex(s, 20, h);
        if (i % 10 == 1) {          /* as openssl x509 -text prints them */
            for (k = 0; k < 20; k++)
                fprintf(f, k ? ":%c%c" : "%c%c", h[2 * k] | 0x20, h[2 * k + 1] | 0x20);
            fputc('\n', f);
        }
        else if (i % 10 == 2) {
            BIGNUM *bn = BN_bin2bn(s, 20, NULL);
            char *dec = BN_bn2dec(bn);
            fprintf(f, "dec:%s\n", dec);
            OPENSSL_free(dec);
            BN_free(bn);
        }
        else if (i % 10 == 3) {
            fprintf(f, "serial=%s  # rotated out\n", h);
        }
        else {
            fprintf(f, "%s\n", h);
        }
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static EVP_PKEY *ca_key;
static X509 *ca_cert, *leaf_hit, *leaf_miss;

static X509 *make_cert(const char *cn, const unsigned char *serial, EVP_PKEY *key, int ca)
{
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIGNUM *bn = BN_bin2bn(serial, 20, NULL);
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509_set_version(cert, X509_VERSION_3);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert), -86400);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400 * 30);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(cert, name);
    X509_set_issuer_name(cert, ca ? name : X509_get_subject_name(ca_cert));
    X509_NAME_free(name);
    X509_set_pubkey(cert, key);
    if (ca) {
        X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
        ext = X509V3_EXT_nconf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
    X509_sign(cert, ca_key, EVP_sha256());
    return cert;
}

static void write_crl_file(const char *path, unsigned long n)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *t = ASN1_TIME_set(NULL, time(NULL) - 3600);
    unsigned char s[20];
    unsigned long i;
    FILE *f;

    X509_CRL_set_version(crl, X509_CRL_VERSION_2);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca_cert));
    X509_CRL_set1_lastUpdate(crl, t);
    for (i = 0; i < n; i++) {
        X509_REVOKED *entry = X509_REVOKED_new();
        BIGNUM *bn;
        ASN1_INTEGER *ai;

        nth_serial(1, i, s);
        bn = BN_bin2bn(s, 20, NULL);
        ai = BN_to_ASN1_INTEGER(bn, NULL);
        X509_REVOKED_set_serialNumber(entry, ai);
        X509_REVOKED_set_revocationDate(entry, t);
        X509_CRL_add0_revoked(crl, entry);
        ASN1_INTEGER_free(ai);
        BN_free(bn);
    }
    ASN1_TIME_set(t, time(NULL) + 7 * 86400);
    X509_CRL_set1_nextUpdate(crl, t);
    X509_CRL_sort(crl);
    X509_CRL_sign(crl, ca_key, EVP_sha256());
    if ((f = fopen(path, "w")) == NULL || !PEM_write_X509_CRL(f, crl) || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    X509_CRL_free(crl);
    ASN1_TIME_free(t);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "deny";
    unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000UL;
    int crl_mode = strcmp(mode, "crl") == 0;
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[600];
    apr_pool_t *pool;
    cfaop_serialset_t *set = NULL;
    cfaop_revocation_t *rev = NULL;
    cfaop_serial_t *hits, *misses;
    STACK_OF(X509) *chain_hit = NULL, *chain_miss = NULL;
    unsigned char s[20];
    const char *err;
    double t0, t1, t2;
    long rss0, rss1, hwm1, found = 0;
    int peak_reset, status;
    pid_t child;
    unsigned long i;
    FILE *f;

    if ((!crl_mode && strcmp(mode, "deny") != 0) || n == 0) {
        fprintf(stderr, "usage: %s [deny|crl] [N]\n", argv[0]);
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s/serialset-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/list.%s", dir, crl_mode ? "crl.pem" : "txt");
    apr_initialize();
    apr_pool_create(&pool, NULL);

    t0 = now_ms();
    if (crl_mode) {
        ca_key = EVP_EC_gen("P-256");
        memset(s, 0, sizeof(s));
        s[19] = 1;
        ca_cert = make_cert("Bench CA", s, ca_key, 1);
        nth_serial(1, n / 2, s);
        leaf_hit = make_cert("revoked leaf", s, ca_key, 0);
        nth_serial(2, 0, s);
        leaf_miss = make_cert("good leaf", s, ca_key, 0);
    }
    /* The file is written by a child, so that the memory it takes is not
     * in this process when the load is measured. */
    if ((child = fork()) == 0) {
        if (crl_mode)
            write_crl_file(path, n);
        else
            write_deny_file(path, n);
        _exit(0);
    }
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)
        || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "writing %s failed\n", path);
        return 2;
    }
    t1 = now_ms();
    {
        long bytes = 0;
        if ((f = fopen(path, "r")) != NULL) {
            fseek(f, 0, SEEK_END);
            bytes = ftell(f);
            fclose(f);
        }
        printf("mode=%s serials=%lu file=%.1f MiB (generated in %.0f ms)\n", mode, n,
               bytes / 1048576.0, t1 - t0);
    }

    /* ---- the load ---- */
    rss0 = status_kib("VmRSS");
    peak_reset = reset_peak();
    t0 = now_ms();
    if (crl_mode) {
        X509_STORE *store = X509_STORE_new();
        X509_STORE_add_cert(store, ca_cert);
        rev = cfaop_revocation_create(pool);
        err = cfaop_revocation_load_file(rev, path, store);
        if (err == NULL)
            err = cfaop_revocation_freeze(rev);
        X509_STORE_free(store);
    }
    else {
        set = cfaop_serialset_create(pool);
        err = cfaop_denyfile_load(pool, path, set, NULL);
        t2 = now_ms();
        if (err == NULL)
            err = cfaop_serialset_freeze(set);
    }
    t1 = now_ms();
    if (err != NULL) {
        fprintf(stderr, "load failed: %s\n", err);
        return 1;
    }
    rss1 = status_kib("VmRSS");
    hwm1 = status_kib("VmHWM");
    if (crl_mode)
        printf("load: %.0f ms (read, signature check, sets, freeze); distinct serials %lu\n",
               t1 - t0, (unsigned long)cfaop_revocation_count(rev));
    else
        printf("load: %.0f ms (parse + add %.0f ms, freeze %.0f ms); distinct serials %lu; "
               "set holds %.1f MiB\n", t1 - t0, t2 - t0, t1 - t2,
               (unsigned long)cfaop_serialset_count(set),
               cfaop_serialset_memory(set) / 1048576.0);
    printf("memory: VmRSS +%.1f MiB after the load; peak during the load +%.1f MiB%s\n",
           (rss1 - rss0) / 1024.0, (hwm1 - rss0) / 1024.0,
           peak_reset ? "" : " (VmHWM not reset: peak since start)");

    /* ---- lookups ---- */
    if (crl_mode) {
        chain_hit = sk_X509_new_null();
        sk_X509_push(chain_hit, leaf_hit);
        sk_X509_push(chain_hit, ca_cert);
        chain_miss = sk_X509_new_null();
        sk_X509_push(chain_miss, leaf_miss);
        sk_X509_push(chain_miss, ca_cert);
        t0 = now_ms();
        for (i = 0; i < LOOKUPS; i++)
            found += cfaop_revocation_check(rev, chain_hit) == 0;
        t1 = now_ms();
        for (i = 0; i < LOOKUPS; i++)
            found += cfaop_revocation_check(rev, chain_miss) == 0;
        t2 = now_ms();
        printf("check of a leaf+CA chain: revoked %.0f ns, not revoked %.0f ns "
               "(%ld of %d revoked, expect %d)\n", (t1 - t0) * 1e6 / LOOKUPS,
               (t2 - t1) * 1e6 / LOOKUPS, found, 2 * LOOKUPS, LOOKUPS);
    }
    else {
        /* As a vhost sees a shared deny file: its own set (here with one
         * inline serial) including the file's set by reference. */
        cfaop_serialset_t *vhost = cfaop_serialset_create(pool);
        cfaop_serialset_t *sets[2];
        const char *label[2] = { "lookup", "lookup through a vhost's set" };
        cfaop_serial_t own = { 20, 0, { 0 } };
        int k;

        nth_serial(3, 0, own.bytes);
        if (cfaop_serialset_add(vhost, &own) != NULL || cfaop_serialset_include(vhost, set) != NULL
            || cfaop_serialset_freeze(vhost) != NULL) {
            fprintf(stderr, "the vhost set failed\n");
            return 1;
        }
        sets[0] = set;
        sets[1] = vhost;
        hits = malloc(sizeof(*hits) * LOOKUPS);
        misses = malloc(sizeof(*misses) * LOOKUPS);
        for (i = 0; i < LOOKUPS; i++) {
            /* Random members (not in file order) and non-members. */
            unsigned long pick = (unsigned long)(splitmix64(&rng_state) % n);
            nth_serial(1, pick, s);
            memset(&hits[i], 0, sizeof(hits[i]));
            hits[i].len = 20;       /* nth_serial's first octet is never 0 */
            memcpy(hits[i].bytes, s, 20);
            nth_serial(2, i, s);
            misses[i] = hits[i];
            memcpy(misses[i].bytes, s, 20);
        }
        for (k = 0; k < 2; k++) {
            long found_k = 0;

            t0 = now_ms();
            for (i = 0; i < LOOKUPS; i++)
                found_k += cfaop_serialset_contains(sets[k], &hits[i]);
            t1 = now_ms();
            for (i = 0; i < LOOKUPS; i++)
                found_k += cfaop_serialset_contains(sets[k], &misses[i]);
            t2 = now_ms();
            printf("%s: hit %.0f ns, miss %.0f ns (%ld of %d found, expect %d)\n", label[k],
                   (t1 - t0) * 1e6 / LOOKUPS, (t2 - t1) * 1e6 / LOOKUPS, found_k,
                   2 * LOOKUPS, LOOKUPS);
            if (k == 0)
                found = found_k;
            else if (found_k != found)
                found = -1;
        }
        free(hits);
        free(misses);
    }

    unlink(path);
    rmdir(dir);
    apr_pool_destroy(pool);
    apr_terminate();
    return found == LOOKUPS ? 0 : 1;
}
