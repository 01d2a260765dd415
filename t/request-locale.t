# SPDX-License-Identifier: Apache-2.0
# The module in a child whose locale is tr_TR.UTF-8, as a module or an
# application that calls setlocale() leaves it (t/modules/
# mod_cfaop_setlocale.c, loaded for the whole suite: every other test runs
# under it too). There tolower('I') is 'I', so a comparison that follows
# the locale would not see CLIENT-CERT as Client-Cert, nor fold a Host
# with an 'I'. Header names and hostnames are compared in ASCII.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Identity;

my $built = -f CFAOPTest::pki('mod_cfaop_setlocale.so') && -f CFAOPTest::pki('mod_cfaop_echo.so');
plan tests => 8,
    need({ 't/modules/mod_cfaop_setlocale.c and mod_cfaop_echo.c built by t/pki.d/request.sh (see its output)' => $built });

sub get {
    my %a = @_;
    my $text = "GET $a{path} HTTP/1.1\r\nHost: " . ($a{host} // $a{sni} // '127.0.0.1') . "\r\n";
    $text .= "$_->[0]: $_->[1]\r\n" for @{ $a{headers} || [] };
    return raw_request(%a, request => "$text" . "Connection: close\r\n\r\n");
}
sub lines { return [grep { /^H / } split /\n/, $_[0]{body} // ''] }

# The premise: the child answering runs under tr_TR.UTF-8.
my $r = get(vhost => 'cfaop_req_report', path => '/req-locale');
ok t_cmp($r->{body} // '-', qr/^LC_CTYPE=tr_TR\.UTF-8\nTOLOWER_I=I$/m, "the child's locale is tr_TR.UTF-8, tolower('I') is 'I'");

# No AOP certificate (ReportOnly, Strip): forged headers whose names hold
# an 'I' are still recognised and removed.
my @forged = (['CLIENT-CERT', rfc9440('forged')], ['CF-CERT-ISSUER-DN', 'CN=Mallory CA'],
              ['CF-CLIENT-CERT-VERIFIED', 'true'], ['CLIENT-CERT-CHAIN', rfc9440_chain('endclient-int')],
              ['CLIENT_CERT', 'x'], ['X-Req-Control', 'kept']);
my $mark = log_mark();
$r = get(vhost => 'cfaop_req_report', path => '/req-echo/l', headers => \@forged);
ok t_cmp(join(' ', $r->{status} // '-', (grep { /^H X-Req-Control: kept$/ } @{ lines($r) }) ? 'echoed' : 'not-echoed'),
         '200 echoed', 'tr_TR, no AOP certificate: served');
ok t_cmp(join(' | ', grep { /CERT/i } @{ lines($r) }), '', 'tr_TR, no AOP certificate: no forged header reaches the handler');
ok t_cmp(log_wait($mark, qr/CFAOP0301:/) // 'none', qr/CFAOP0301: removed 5 client-certificate header\(s\)/,
         'tr_TR: CFAOP0301 counts all five');

# A verified connection in Trust: Cloudflare's names, in upper case or in
# lower case, are believed, and each variable is named in ASCII upper case
# (toupper('i') is 'i' under tr_TR). The body is read as printed: the
# suite's env parser would forgive a lower-case 'i'.
$r = id_request(vhost => 'cfaop_id_trust', cert => 'good',
                headers => [map { [uc $_->[0], $_->[1]] } cf_cert_headers('alice')]);
ok t_cmp(join(' ', $r->{status} // '-', ($r->{body} // '') =~ /^CF_CLIENT_CERT_ISSUER_DN=(.*)$/m ? CFAOPTest::html_unescape($1) : '-'),
         '200 ' . cert_info('alice')->{issuer}, 'tr_TR, Trust: CF-CERT-ISSUER-DN becomes CF_CLIENT_CERT_ISSUER_DN');
$r = id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => [cf_cert_headers('alice')]);
ok t_cmp(join(' ', $r->{status} // '-', ($r->{body} // '') =~ /^CF_CLIENT_CERT_ISSUER_DN=(.*)$/m ? CFAOPTest::html_unescape($1) : '-'),
         '200 ' . cert_info('alice')->{issuer}, 'tr_TR, Trust: cf-cert-issuer-dn becomes CF_CLIENT_CERT_ISSUER_DN');

# Hostnames: SNI wiki.req.test verifies under hostname:wiki.req.test; the
# same name in upper case in Host selects the same policy (an 'I' folds).
$r = tls_request(vhost => 'cfaop_req_on', cert => 'good', sni => 'wiki.req.test', host => 'wiki.req.test');
ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_AOP_POLICY} // '-'), '200 hostname:wiki.req.test',
         'tr_TR, SNI and Host wiki.req.test: 200');
# Under tr_TR, WIKI.REQ.TEST folds to wiki.req.test: hostnames compare in ASCII.
$r = tls_request(vhost => 'cfaop_req_on', cert => 'good', sni => 'wiki.req.test', host => 'WIKI.REQ.TEST');
ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_AOP_POLICY} // '-'), '200 hostname:wiki.req.test',
         'tr_TR, SNI wiki.req.test, Host WIKI.REQ.TEST: 200 under the same policy');
