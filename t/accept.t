# SPDX-License-Identifier: Apache-2.0
# A certificate that passes: the handshake completes, the request is served,
# and every CF_AOP_* variable holds exactly what openssl (and mod_ssl) say
# about the certificate.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 2 * 17 + 4;

my $good = cert_info('good');

for my $tls ('1.3', '1.2') {
    my $r = tls_request(vhost => 'cfaop_on', cert => 'good', tls => $tls, requests => 2);
    my $env = $r->{env} || {};
    ok t_cmp($r->{connected} && $r->{status}, 200, "TLS $tls: good leaf: handshake and GET 200");
    ok t_cmp($env->{CF_AOP_VERIFIED}, 'SUCCESS', "TLS $tls: CF_AOP_VERIFIED");
    ok t_cmp($env->{CF_AOP_POLICY}, 'zone', "TLS $tls: CF_AOP_POLICY");
    ok t_cmp($env->{CF_AOP_CERT_SERIAL}, $good->{serial}, "TLS $tls: CF_AOP_CERT_SERIAL = openssl x509 -serial");
    ok t_cmp($env->{CF_AOP_CERT_FINGERPRINT_SHA256}, $good->{sha256},
             "TLS $tls: CF_AOP_CERT_FINGERPRINT_SHA256 = sha256 of the DER, lower-case hex");
    ok t_cmp($env->{CF_AOP_CERT_SUBJECT_DN}, $good->{subject},
             "TLS $tls: CF_AOP_CERT_SUBJECT_DN = openssl -nameopt RFC2253");
    ok t_cmp($env->{CF_AOP_CERT_ISSUER_DN}, $good->{issuer},
             "TLS $tls: CF_AOP_CERT_ISSUER_DN = openssl -nameopt RFC2253");
    ok t_cmp($env->{CF_AOP_CERT_NOT_BEFORE}, $good->{notBefore}, "TLS $tls: CF_AOP_CERT_NOT_BEFORE");
    ok t_cmp($env->{CF_AOP_CERT_NOT_AFTER}, $good->{notAfter}, "TLS $tls: CF_AOP_CERT_NOT_AFTER");
    # The same fields as mod_ssl formats them for the same certificate.
    ok t_cmp($env->{CF_AOP_CERT_SERIAL}, $env->{SSL_CLIENT_M_SERIAL}, "TLS $tls: serial as SSL_CLIENT_M_SERIAL");
    ok t_cmp($env->{CF_AOP_CERT_NOT_BEFORE}, $env->{SSL_CLIENT_V_START}, "TLS $tls: not-before as SSL_CLIENT_V_START");
    ok t_cmp($env->{CF_AOP_CERT_NOT_AFTER}, $env->{SSL_CLIENT_V_END}, "TLS $tls: not-after as SSL_CLIENT_V_END");
    ok t_cmp($env->{CF_AOP_CERT_SUBJECT_DN}, $env->{SSL_CLIENT_S_DN}, "TLS $tls: subject as SSL_CLIENT_S_DN");
    ok t_cmp($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', "TLS $tls: SSL_CLIENT_VERIFY");
    ok t_cmp($r->{headers}{'x-cf-aop-verified'}, 'SUCCESS', "TLS $tls: mod_headers sees %{CF_AOP_VERIFIED}e");
    # A second request on the same connection carries the same verdict.
    my $second = $r->{responses}[1] || {};
    ok t_cmp(join(' ', $second->{status} // '-', $second->{env}{CF_AOP_VERIFIED} // '-',
                  $second->{env}{CF_AOP_CERT_SERIAL} // '-'),
             "200 SUCCESS $good->{serial}", "TLS $tls: keep-alive request 2");
    ok t_cmp($env->{SSL_PROTOCOL}, $tls eq '1.2' ? 'TLSv1.2' : 'TLSv1.3', "TLS $tls: protocol");
}

# The CertificateRequest advertises exactly the anchors' names.
my $root = cert_info('root-ca')->{subject};
for my $tls ('1.3', '1.2') {
    ok t_cmp(join('|', @{ openssl_ca_names(vhost => 'cfaop_on', tls => $tls) || ['(no CertificateRequest)'] }),
             $root, "TLS $tls: CA names advertised by a vhost trusting the root");
}
ok t_cmp(join('|', @{ openssl_ca_names(vhost => 'cfaop_multi') || ['(no CertificateRequest)'] }),
         join('|', cert_info('wrong-ca')->{subject}, $root), "CA names of a vhost with two CFAOPTrustedCA");

# The accepted handshake is logged at debug with its id.
my $mark = log_mark();
tls_request(vhost => 'cfaop_on', cert => 'good', sni => 'accept.test');
ok log_wait($mark, verdict_line(id => 'CFAOP0103', what => 'accepted', reason => 'ok',
                                sni => 'accept.test', cert => 'good'));
