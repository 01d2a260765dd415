/* SPDX-License-Identifier: Apache-2.0 */
/* openssl_compat.h: the OpenSSL releases the module builds against, 1.1.1
 * (Debian 11, RHEL 8) to 3.x, and the few names that differ between them. */
#ifndef CFAOP_OPENSSL_COMPAT_H
#define CFAOP_OPENSSL_COMPAT_H

#include <openssl/opensslv.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error "mod_cf_aop needs OpenSSL 1.1.1 or later (TLS 1.3, session ticket data)"
#endif

#if OPENSSL_VERSION_NUMBER < 0x30000000L
/* 3.0 added the get0 form; before it, the get1 form is the only one, and
 * the SSL keeps a reference of its own, so dropping ours leaves it valid. */
static inline X509 *cfaop_ssl_get0_peer_certificate(const SSL *ssl)
{
    X509 *cert = SSL_get_peer_certificate(ssl);

    X509_free(cert);
    return cert;
}
#define SSL_get0_peer_certificate cfaop_ssl_get0_peer_certificate
#endif

#endif
