/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_clientip.c: cfaop_clientip_parse on arbitrary header values: an
 * accepted value is one address whose canonical text reads back as itself,
 * and whose apr_sockaddr_t httpd would print the same way. */
#include <string.h>
#include <apr_network_io.h>

#include "common.h"
#include "clientip.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool_new();
    const char *value = fuzz_cstr(pool, data, size);
    cfaop_clientip_t ip, again;
    apr_sockaddr_t *sa;
    char *text;
    const char *p;

    if (cfaop_clientip_parse(value, &ip) == NULL) {
        FUZZ_ASSERT(strlen(value) <= CFAOP_CLIENTIP_MAX);
        FUZZ_ASSERT(ip.family == APR_INET || ip.family == APR_INET6);
        FUZZ_ASSERT(strlen(ip.text) <= CFAOP_CLIENTIP_MAX);
        for (p = ip.text; *p; p++)
            FUZZ_ASSERT((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == ':' || *p == '.');
        FUZZ_ASSERT(strchr(value, ',') == NULL && strchr(value, '%') == NULL);
        FUZZ_ASSERT(cfaop_clientip_parse(ip.text, &again) == NULL);
        FUZZ_ASSERT(again.family == ip.family && strcmp(again.text, ip.text) == 0
                    && memcmp(again.addr, ip.addr, sizeof(ip.addr)) == 0);
        FUZZ_ASSERT(cfaop_clientip_sockaddr(pool, &ip, &sa) == APR_SUCCESS);
        FUZZ_ASSERT(sa->family == ip.family && sa->port == 0);
        FUZZ_ASSERT(apr_sockaddr_ip_get(&text, sa) == APR_SUCCESS && strcmp(text, ip.text) == 0);
    }
    fuzz_pool_done(pool);
    return 0;
}
