# SPDX-License-Identifier: Apache-2.0
# Vhosts without CFAOP behave as without the module: no client certificate
# is requested and no CF_AOP_* variable appears. And a CFAOP On vhost that
# has no TLS refuses every request (403, CFAOP0202).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use IO::Socket::INET ();
use Time::HiRes ();

plan tests => 2 * 6 + 4;

for my $tls ('1.3', '1.2') {
    ok t_cmp(openssl_ca_names(vhost => 'cfaop_plain', tls => $tls) ? 'CertificateRequest sent' : 'none',
             'none', "TLS $tls: plain vhost sends no CertificateRequest");

    my $mark = log_mark();
    # The client has a certificate ready; it would send it if asked.
    my $r = tls_request(vhost => 'cfaop_plain', cert => 'good', tls => $tls);
    my $env = $r->{env} || {};
    ok t_cmp($r->{status} // 'no-response', 200, "TLS $tls: plain vhost: 200");
    ok t_cmp($env->{SSL_CLIENT_VERIFY}, 'NONE', "TLS $tls: plain vhost: no certificate was asked for");
    ok t_cmp(join(',', sort grep { /^CF_AOP_/ } keys %$env), '', "TLS $tls: plain vhost: no CF_AOP_* variables");
    ok t_cmp($r->{headers}{'x-cf-aop-verified'} // 'absent', 'absent', "TLS $tls: plain vhost: no header");
    Time::HiRes::sleep(0.3);
    ok t_cmp(join(',', log_since($mark) =~ /(CFAOP\d+)/g), '', "TLS $tls: plain vhost: the module logs nothing");
}

# CFAOP On on a vhost without TLS.
my $mark = log_mark();
my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => port('cfaop_http'), Timeout => 10)
    or die "connect: $!";
print $sock "GET /env.shtml HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
my $response = do { local $/; <$sock> } // '';
my ($status) = $response =~ m{^HTTP/\d\.\d (\d+)};
my ($body) = $response =~ /\r\n\r\n(.*)/s;
ok t_cmp($status // 'no-response', 403, 'CFAOP On without TLS: 403');
ok t_cmp(($body // '') =~ /CF_AOP_VERIFIED=/ ? 'exported' : 'not exported', 'not exported',
         'CFAOP On without TLS: nothing exported');
ok log_wait($mark, qr/CFAOP0202: request refused \(403\): reason=no-cert client=127\.0\.0\.1 host="127\.0\.0\.1" sni=-: /);

# ... and configtest/startup warned about it.
my $port = port('cfaop_http');
ok log_wait(0, qr/CFAOP0010: virtual host 127\.0\.0\.1:$port \(.*extra\.conf:\d+\) has CFAOP On but not SSLEngine on/);
