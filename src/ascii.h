/* SPDX-License-Identifier: Apache-2.0 */
/* ascii.h: protocol text (header names, hostnames, keywords, hex digits)
 * compared as ASCII, the same whatever locale a module set with setlocale(). */
#ifndef CFAOP_ASCII_H
#define CFAOP_ASCII_H

#include <stddef.h>

/* <ctype.h> and strcasecmp() follow LC_CTYPE: under tr_TR.UTF-8,
 * tolower('I') is not 'i', so "CLIENT-CERT" would not equal "client-cert". */
static inline int cfaop_ascii_tolower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline int cfaop_ascii_toupper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

static inline int cfaop_ascii_isdigit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int cfaop_ascii_isalpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int cfaop_ascii_isalnum(int c)
{
    return cfaop_ascii_isalpha(c) || cfaop_ascii_isdigit(c);
}

static inline int cfaop_ascii_isxdigit(int c)
{
    return cfaop_ascii_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* space, \t, \n, \v, \f, \r: what isspace() means in the C locale. */
static inline int cfaop_ascii_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Narrows [*p, *p + *len) to the text inside the whitespace around it. */
static inline void cfaop_ascii_trim(const char **p, size_t *len)
{
    while (*len > 0 && cfaop_ascii_isspace((unsigned char)**p)) {
        (*p)++;
        (*len)--;
    }
    while (*len > 0 && cfaop_ascii_isspace((unsigned char)(*p)[*len - 1]))
        (*len)--;
}

static inline int cfaop_ascii_strncasecmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; a++, b++, n--) {
        int ca = cfaop_ascii_tolower((unsigned char)*a);
        int cb = cfaop_ascii_tolower((unsigned char)*b);
        if (ca != cb)
            return ca - cb;
        if (ca == '\0')
            return 0;
    }
    return 0;
}

static inline int cfaop_ascii_strcasecmp(const char *a, const char *b)
{
    return cfaop_ascii_strncasecmp(a, b, (size_t)-1);
}

#endif
