/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_leg1.c: a request's header block as Leg-1 sees it: cf-cert-*,
 * cf-client-cert-*, Client-Cert and Client-Cert-Chain among other headers.
 * The input (after a mode byte) is lines "name: value"; mode bit 0 merges
 * repeated names the way httpd does before any module runs (", "), bit 1
 * adds Verify mode (the RFC 9440 certificate checked against a
 * CFAOPClientCA of the fuzz CA). Collect, finish, verify, export and strip
 * must keep the all-or-nothing and never-from-a-header rules; the '_'
 * spellings and the same lines sent as trailers are removed exactly. */
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "common.h"
#include "leg1.h"
#include "leg1_verify.h"
#include "policy.h"

static cfaop_policy_t *client_policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *err;

    (void)argc; (void)argv;
    fuzz_init();
    err = cfaop_leg1_client_policy(fuzz_global_pool(), fuzz_ca_path(), &client_policy);
    if (err != NULL)
        fuzz_fail(__FILE__, __LINE__, err);
    return 0;
}

static int is_var_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    fuzz_input_t in = { data, size };
    uint8_t mode = fuzz_byte(&in);
    apr_table_t *headers = apr_table_make(pool, 8), *env = apr_table_make(pool, 8);
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;
    char *text = fuzz_cstr(pool, in.p, in.left), *line, *next;
    const char *verified = NULL;
    cfaop_verdict_t verdict;
    cfaop_leg1_t leg1;
    int i, leg1_entries = 0, any_leg1 = 0, removed;

    for (line = text; line != NULL && *line; line = next) {
        char *colon, *value;

        if ((next = strchr(line, '\n')) != NULL)
            *next++ = '\0';
        if ((colon = strchr(line, ':')) == NULL)
            continue;
        *colon = '\0';
        for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
            ;
        if (*line == '\0')
            continue;
        apr_table_add(headers, line, value);
    }
    if (mode & 1)
        apr_table_compress(headers, APR_OVERLAP_TABLES_MERGE);

    arr = apr_table_elts(headers);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        cfaop_leg1_kind_t kind = cfaop_leg1_kind(e[i].key);
        const char *var = NULL;

        if (kind == CFAOP_LEG1_NOT)
            continue;
        any_leg1 = 1;
        leg1_entries++;
        if (cfaop_leg1_var_name(pool, e[i].key, &var) == NULL) {
            size_t j;
            FUZZ_ASSERT(strncmp(var, "CF_CLIENT_CERT_", 15) == 0 && var[15] != '\0');
            for (j = 0; var[j] != '\0'; j++)
                FUZZ_ASSERT(is_var_char(var[j]));
            FUZZ_ASSERT(strcmp(var, "CF_CLIENT_CERT_PEM") != 0
                        && strcmp(var, "CF_CLIENT_CERT_CHAIN_PEM") != 0
                        && strcmp(var, "CF_CLIENT_CERT_ORIGIN_VERIFIED") != 0);
        }
        (void)cfaop_leg1_check_value(pool, e[i].val);
    }

    cfaop_leg1_collect(pool, headers, &leg1);
    FUZZ_ASSERT(leg1.finished);
    FUZZ_ASSERT(leg1.present == any_leg1);
    FUZZ_ASSERT(leg1.invalid == NULL || *leg1.invalid != '\0');
    if (mode & 2) {
        verified = cfaop_leg1_origin_verify(pool, &leg1, client_policy, &verdict);
        FUZZ_ASSERT(verified != NULL);
        FUZZ_ASSERT(strcmp(verified, "SUCCESS") == 0 || strcmp(verified, "NONE") == 0
                    || strncmp(verified, "FAILED:", 7) == 0);
        if (leg1.invalid != NULL)
            FUZZ_ASSERT(strcmp(verified, "FAILED:invalid") == 0);
        if (strcmp(verified, "SUCCESS") == 0)
            FUZZ_ASSERT(leg1.cert != NULL && leg1.invalid == NULL);
        if (leg1.invalid == NULL && leg1.cert == NULL)
            FUZZ_ASSERT(strcmp(verified, "NONE") == 0);
    }
    if (leg1.invalid == NULL) {
        FUZZ_ASSERT((leg1.cert != NULL) == (leg1.cert_pem != NULL));
        FUZZ_ASSERT((leg1.chain != NULL) == (leg1.chain_pem != NULL));
        FUZZ_ASSERT(leg1.chain == NULL || leg1.cert != NULL);
    }

    cfaop_leg1_export(&leg1, verified, env);
    arr = apr_table_elts(env);
    e = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        size_t j;

        FUZZ_ASSERT(strncmp(e[i].key, "CF_CLIENT_CERT_", 15) == 0);
        for (j = 0; e[i].key[j] != '\0'; j++)
            FUZZ_ASSERT(is_var_char(e[i].key[j]));
        /* All or nothing: an invalid set exports no field at all. */
        if (leg1.invalid != NULL)
            FUZZ_ASSERT(strcmp(e[i].key, "CF_CLIENT_CERT_ORIGIN_VERIFIED") == 0);
        if (strcmp(e[i].key, "CF_CLIENT_CERT_PEM") == 0)
            FUZZ_ASSERT(e[i].val == leg1.cert_pem);
        else if (strcmp(e[i].key, "CF_CLIENT_CERT_CHAIN_PEM") == 0)
            FUZZ_ASSERT(e[i].val == leg1.chain_pem);
        else if (strcmp(e[i].key, "CF_CLIENT_CERT_ORIGIN_VERIFIED") == 0)
            FUZZ_ASSERT(verified != NULL && strcmp(e[i].val, verified) == 0);
        else
            FUZZ_ASSERT(cfaop_leg1_check_value(pool, e[i].val) == NULL);
    }

    /* The '_' spellings go, and only they: Cloudflare sends none. */
    {
        apr_table_t *copy = apr_table_copy(pool, headers);
        int underscored = 0, n;

        arr = apr_table_elts(headers);
        e = (const apr_table_entry_t *)arr->elts;
        for (i = 0; i < arr->nelts; i++)
            underscored += cfaop_leg1_underscored(e[i].key);
        n = cfaop_leg1_strip_underscored(copy);
        FUZZ_ASSERT(n == underscored);
        FUZZ_ASSERT(apr_table_elts(copy)->nelts == arr->nelts - n);
        e = (const apr_table_entry_t *)apr_table_elts(copy)->elts;
        for (i = 0; i < apr_table_elts(copy)->nelts; i++)
            FUZZ_ASSERT(!cfaop_leg1_underscored(e[i].key));
    }

    /* The same lines again as trailers, merged as MergeTrailers on does:
     * every Leg-1 trailer goes, the header lines all stay. */
    {
        apr_table_t *trailers = apr_table_make(pool, 8), *merged;
        int nheaders = apr_table_elts(headers)->nelts, ntrailers, k;

        arr = apr_table_elts(headers);
        e = (const apr_table_entry_t *)arr->elts;
        for (i = 0; i < arr->nelts; i++)
            apr_table_add(trailers, e[i].key, e[i].val);
        ntrailers = apr_table_elts(trailers)->nelts;
        merged = apr_table_overlay(pool, headers, trailers);
        k = cfaop_leg1_strip_trailers(merged, trailers);
        FUZZ_ASSERT(k == leg1_entries);
        FUZZ_ASSERT(apr_table_elts(trailers)->nelts == ntrailers - k);
        FUZZ_ASSERT(apr_table_elts(merged)->nelts == nheaders + ntrailers - k);
    }

    /* Strip leaves no Leg-1 header behind, and only those go. */
    {
        int before = apr_table_elts(headers)->nelts;

        removed = cfaop_leg1_strip(headers);
        FUZZ_ASSERT(removed == leg1_entries);
        arr = apr_table_elts(headers);
        e = (const apr_table_entry_t *)arr->elts;
        FUZZ_ASSERT(arr->nelts == before - removed);
        for (i = 0; i < arr->nelts; i++)
            FUZZ_ASSERT(cfaop_leg1_kind(e[i].key) == CFAOP_LEG1_NOT);
    }
    fuzz_pool_done(pool);
    return 0;
}
