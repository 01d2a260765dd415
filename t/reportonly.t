# SPDX-License-Identifier: Apache-2.0
# CFAOP ReportOnly: every handshake completes and every request is served;
# the verdict is exported (CF_AOP_CERT_* too for a failed certificate),
# SSL_CLIENT_VERIFY reflects it, and what enforcement would have refused is
# logged as CFAOP0102.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 2 * 15 + 6;

my $wrong = cert_info('wrongca');

for my $tls ('1.3', '1.2') {
    # No certificate.
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_report', tls => $tls);
    my $env = $r->{env} || {};
    ok t_cmp($r->{status} // 'no-response', 200, "TLS $tls: no certificate: 200");
    ok t_cmp($env->{CF_AOP_VERIFIED}, 'NONE', "TLS $tls: no certificate: CF_AOP_VERIFIED");
    ok t_cmp($env->{CF_AOP_POLICY}, 'zone', "TLS $tls: no certificate: CF_AOP_POLICY");
    ok t_cmp(join(',', sort grep { /^CF_AOP_CERT_/ } keys %$env), '',
             "TLS $tls: no certificate: no CF_AOP_CERT_*");
    ok log_wait($mark, verdict_line(id => 'CFAOP0102', what => 'report-only, would reject',
                                    reason => 'no-cert'));

    # A certificate of another CA: served, marked, described.
    $mark = log_mark();
    $r = tls_request(vhost => 'cfaop_report', cert => 'wrongca', tls => $tls, requests => 2);
    $env = $r->{env} || {};
    ok t_cmp($r->{status} // 'no-response', 200, "TLS $tls: wrong CA: 200");
    ok t_cmp($env->{CF_AOP_VERIFIED}, 'FAILED:untrusted', "TLS $tls: wrong CA: CF_AOP_VERIFIED");
    ok t_cmp(join('|', map { $_ // '-' } @$env{qw(CF_AOP_CERT_SERIAL CF_AOP_CERT_FINGERPRINT_SHA256
                                                   CF_AOP_CERT_SUBJECT_DN CF_AOP_CERT_ISSUER_DN
                                                   CF_AOP_CERT_NOT_BEFORE CF_AOP_CERT_NOT_AFTER)}),
             join('|', @$wrong{qw(serial sha256 subject issuer notBefore notAfter)}),
             "TLS $tls: wrong CA: CF_AOP_CERT_* describe the failed certificate");
    ok t_cmp($env->{SSL_CLIENT_VERIFY} // '-', qr/^FAILED/, "TLS $tls: wrong CA: SSL_CLIENT_VERIFY");
    my $second = $r->{responses}[1] || { env => {} };
    ok t_cmp(join(' ', $second->{status} // '-', $second->{env}{CF_AOP_VERIFIED} // '-',
                  $second->{env}{SSL_CLIENT_VERIFY} // '-'),
             qr/^200 FAILED:untrusted FAILED/, "TLS $tls: wrong CA: keep-alive request 2");
    ok log_wait($mark, verdict_line(id => 'CFAOP0102', what => 'report-only, would reject',
                                    reason => 'untrusted', cert => 'wrongca'));

    # An expired one: another reason.
    $r = tls_request(vhost => 'cfaop_report', cert => 'expired', tls => $tls);
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{env}{CF_AOP_VERIFIED} // '-'),
             '200 FAILED:expired', "TLS $tls: expired: 200 FAILED:expired");

    # A good one: SUCCESS, and nothing to report.
    $mark = log_mark();
    $r = tls_request(vhost => 'cfaop_report', cert => 'good', tls => $tls);
    $env = $r->{env} || {};
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($env->{CF_AOP_VERIFIED} // '-'), '200 SUCCESS',
             "TLS $tls: good: 200 SUCCESS");
    ok t_cmp($env->{SSL_CLIENT_VERIFY}, 'SUCCESS', "TLS $tls: good: SSL_CLIENT_VERIFY");
    log_wait($mark, qr/CFAOP0103/);
    ok t_cmp(scalar(() = log_since($mark) =~ /CFAOP0102/g), 0, "TLS $tls: good: no CFAOP0102");
}

# A resumed session is judged again, and still only reported.
for my $tls ('1.3', '1.2') {
    my $ctx = client_context(cert => 'wrongca', tls => $tls);
    tls_request(vhost => 'cfaop_report', ctx => $ctx);
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_report', ctx => $ctx);
    ok t_cmp(join(' ', $r->{reused} ? 'resumed' : 'not-resumed', $r->{status} // 'no-response',
                  $r->{env}{CF_AOP_VERIFIED} // '-', $r->{env}{CF_AOP_CERT_SERIAL} // '-'),
             "resumed 200 FAILED:untrusted $wrong->{serial}", "TLS $tls: resumed wrong-CA session");
    my $line = log_wait($mark, qr/CFAOP0102: report-only, would reject: reason=untrusted client=127\.0\.0\.1 .*serial="\Q$wrong->{serial}\E"/);
    ok t_cmp($line // 'no such line', qr/ resumed=yes /, "TLS $tls: CFAOP0102 says resumed=yes");
}

# mod_headers sees the verdict too (Header ... "%{CF_AOP_VERIFIED}e").
my $r = tls_request(vhost => 'cfaop_report', cert => 'selfsigned');
ok t_cmp($r->{headers}{'x-cf-aop-verified'} // '-', 'FAILED:untrusted', 'mod_headers sees FAILED:untrusted');
ok t_cmp($r->{status} // 'no-response', 200, 'self-signed in ReportOnly: 200');
