/* SPDX-License-Identifier: Apache-2.0 */
/* sni.c: the server_name extension's host_name, read defensively. */
#include "sni.h"

#include <string.h>

int cfaop_sni_from_extension(const unsigned char *ext, size_t len, char out[CFAOP_SNI_MAX + 1])
{
    size_t list_len, pos;

    if (ext == NULL || len < 2)
        return 0;
    list_len = (size_t)ext[0] << 8 | ext[1];
    if (list_len != len - 2)
        return 0;
    for (pos = 2; pos + 3 <= len;) {
        unsigned type = ext[pos];
        size_t name_len = (size_t)ext[pos + 1] << 8 | ext[pos + 2];

        pos += 3;
        if (name_len > len - pos)
            return 0;
        if (type == 0) {
            if (name_len == 0 || name_len > CFAOP_SNI_MAX || memchr(ext + pos, '\0', name_len) != NULL)
                return 0;
            memcpy(out, ext + pos, name_len);
            out[name_len] = '\0';
            return 1;
        }
        pos += name_len;
    }
    return 0;
}
