# SPDX-License-Identifier: Apache-2.0
# ReportOnly edges on the request side: a host mismatch reads
# CF_AOP_VERIFIED=FAILED:host-mismatch wherever the variable is read; and
# SSLOptions +FakeBasicAuth (in the server configuration or in .htaccess)
# logs in only a certificate that passed the policy: a self-signed
# /CN=admin gets what a client without a certificate gets (401), a good
# certificate listed in the AuthUserFile gets 200. Vhosts:
# t/conf/request.conf.in; certificates and user file: t/pki.d/request.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $modules = do { local (@ARGV, $/) = CFAOPTest::pki('request-modules.conf'); <> } // '';
plan tests => 14, need({ 'mod_auth_basic, mod_authn_file and mod_authz_user' =>
                             $modules =~ /auth_basic_module/ && $modules =~ /authn_file_module/
                             && $modules =~ /authz_user_module/ ? 1 : 0 });

sub summary {
    my $r = shift;
    return join ' ', $r->{status} // '-', $r->{env}{CF_AOP_VERIFIED} // '-', $r->{env}{CF_AOP_POLICY} // '-';
}

# ---- host mismatch -----------------------------------------------------------
# Verified under hostname:app.req.test, the Host selects the zone policy.
my $mark = log_mark();
my $r = tls_request(vhost => 'cfaop_req_report', cert => 'good', sni => 'app.req.test', host => 'zone.req.test');
ok t_cmp(summary($r), '200 FAILED:host-mismatch hostname:app.req.test',
         'ReportOnly, SNI app, Host zone: served, CF_AOP_VERIFIED=FAILED:host-mismatch');
ok t_cmp($r->{headers}{'x-cf-aop-verified'} // '-', 'FAILED:host-mismatch',
         'ReportOnly, host mismatch: mod_headers reads the same value');
ok t_cmp(log_wait($mark, qr/CFAOP0203:/) // 'none',
         qr/CFAOP0203: report-only, would refuse request: reason=host-mismatch client=127\.0\.0\.1 host="zone\.req\.test" sni="app\.req\.test": /,
         'CFAOP0203 quotes the Host and names the SNI');
# On the same connection, a request whose Host agrees again passes.
$r = tls_request(vhost => 'cfaop_req_report', cert => 'good', sni => 'app.req.test',
                 hosts => ['zone.req.test', 'app.req.test']);
ok t_cmp(join(' ', map { $_->{env}{CF_AOP_VERIFIED} // '-' } @{ $r->{responses} }),
         'FAILED:host-mismatch SUCCESS', 'one connection: Host zone then app: FAILED:host-mismatch then SUCCESS');
# A certificate that failed already keeps its own reason.
$r = tls_request(vhost => 'cfaop_req_report', cert => 'selfsigned', sni => 'app.req.test', host => 'zone.req.test');
ok t_cmp($r->{env}{CF_AOP_VERIFIED} // '-', qr/^FAILED:/, 'a failed certificate and a host mismatch: FAILED');

# ---- SSLOptions +FakeBasicAuth ------------------------------------------------
for my $where (['/req-basic/env.shtml', 'server configuration'], ['/req-htbasic/env.shtml', '.htaccess']) {
    my ($path, $what) = @$where;
    $mark = log_mark();
    $r = tls_request(vhost => 'cfaop_req_report', cert => 'admin', path => $path);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{REMOTE_USER} // '-'), '401 -',
             "FakeBasicAuth in the $what, self-signed /CN=admin: 401, no one logged in");
    ok t_cmp(log_wait($mark, qr/CFAOP0204:/) // 'none',
             qr/CFAOP0204: SSLOptions \+FakeBasicAuth ignored: the certificate did not pass AOP on this virtual host, so it logs no one in: client=127\.0\.0\.1 subject="\/CN=admin"/,
             "FakeBasicAuth in the $what: CFAOP0204");
    $r = tls_request(vhost => 'cfaop_req_report', cert => 'good', path => $path);
    my $good_dn = qx{openssl x509 -in '@{[CFAOPTest::pki('good.pem')]}' -noout -subject -nameopt compat};
    $good_dn =~ s/^subject=//; chomp $good_dn;
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{REMOTE_USER} // '-'), "200 $good_dn",
             "FakeBasicAuth in the $what, certificate that passed: 200 as its subject");
    $r = tls_request(vhost => 'cfaop_req_report', path => $path);
    ok t_cmp($r->{status} // '-', 401, "FakeBasicAuth in the $what, no certificate: 401");
}
# A certificate that passed the policy but not for the Host asked for.
$r = tls_request(vhost => 'cfaop_req_report', cert => 'good', sni => 'app.req.test', host => 'zone.req.test',
                 path => '/req-basic/env.shtml');
ok t_cmp($r->{status} // '-', 401, 'FakeBasicAuth, good certificate but a host mismatch: 401');
