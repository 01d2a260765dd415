# SPDX-License-Identifier: Apache-2.0
# Apache's way of using the identity: `Require cf-aop`, `Require
# cf-client-cert [origin-verified]` (403 + CFAOP0401 on denial), and the
# CF_CLIENT_CERT_* variables in `Require expr`, mod_rewrite
# (RewriteCond %{ENV:...}) and LogFormat (%{CF_CLIENT_CERT_SUBJECT_DN}e),
# over HTTP/1.1 and HTTP/2. Vhosts and locations: t/conf/identity.conf.in;
# AOP certificate: good; end clients: t/pki.d/identity.sh.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Identity;

my $curl_v = qx{curl -V 2>/dev/null} // '';
plan tests => 75, need { 'curl with HTTP/2' => $curl_v =~ /^Features:.*\bHTTP2\b/m };

my $alice = cert_info('alice');
my $no_valid = "no valid client-certificate headers (CFAOPClientCertHeaders Trust or Verify, and Cloudflare's client certificate headers)";
my $not_aop = 'the connection did not pass AOP';

# A request to PATH; with deny => reason, a 403 and its CFAOP0401 line.
sub authz {
    my ($what, %a) = @_;
    my $mark = log_mark();
    my %req = (vhost => $a{vhost}, cert => $a{cert}, tls => $a{tls}, headers => $a{headers}, path => $a{path});
    my $r = $a{h2} ? curl_request(%req) : id_request(%req);
    my $want = defined $a{deny} ? 403 : 200;
    ok t_cmp(join(' ', $a{h2} ? ($r->{version} // '-') : (), $r->{status} // '-'),
             join(' ', $a{h2} ? '2' : (), $want), "$what: $want");
    if (defined $a{deny}) {
        my $uri = $a{path};
        ok log_has($mark, qr/CFAOP0401: Require \Q$a{require}\E denied: reason=\Q$a{deny}\E client=127\.0\.0\.1 uri="\Q$uri\E"$/,
                   "$what: CFAOP0401");
    }
    elsif ($a{require}) {
        ok log_lacks($mark, qr/CFAOP0401/, "$what: no CFAOP0401");
    }
    return $r;
}

# ---- Require cf-aop ----------------------------------------------------------
my %aop = (require => 'cf-aop', path => '/id-aop/env.shtml');
for my $tls ('1.3', '1.2') {
    authz("cf-aop, ReportOnly, TLS $tls, AOP certificate", %aop, vhost => 'cfaop_id_report', cert => 'good', tls => $tls);
    authz("cf-aop, ReportOnly, TLS $tls, no certificate", %aop, vhost => 'cfaop_id_report', tls => $tls, deny => $not_aop);
}
authz('cf-aop, ReportOnly, untrusted certificate', %aop, vhost => 'cfaop_id_report', cert => 'wrongca', deny => $not_aop);
authz('cf-aop, ReportOnly, no certificate, a location without it', vhost => 'cfaop_id_report', path => '/env.shtml');
authz('cf-aop, CFAOP On, AOP certificate', %aop, vhost => 'cfaop_id_trust', cert => 'good');
authz('cf-aop, vhost without CFAOP', %aop, vhost => 'cfaop_id_inactive',
      deny => 'the virtual host does not have CFAOP On or ReportOnly');
authz('HTTP/2 cf-aop, AOP certificate', %aop, h2 => 1, vhost => 'cfaop_id_report', cert => 'good');
authz('HTTP/2 cf-aop, no certificate', %aop, h2 => 1, vhost => 'cfaop_id_report', deny => $not_aop);

# ---- Require cf-client-cert --------------------------------------------------
my %cc = (require => 'cf-client-cert', path => '/id-cc/env.shtml', vhost => 'cfaop_id_trust', cert => 'good');
my @ok_headers = (cf_cert_headers('alice'), ['Client-Cert', rfc9440('alice')]);
authz('cf-client-cert, verified and not revoked', %cc, headers => \@ok_headers);
authz('cf-client-cert, only cf-cert-verified true and cf-cert-revoked false',
      %cc, headers => [['Cf-Cert-Verified', 'true'], ['CF-CERT-REVOKED', 'false']]);
authz('cf-client-cert, the custom transform spelling (cf-client-cert-*)',
      %cc, headers => [['cf-client-cert-verified', 'true'], ['cf-client-cert-revoked', 'false']]);
authz('cf-client-cert, cf-cert-verified false', %cc, headers => [cf_cert_headers('alice', verified => 'false')],
      deny => "Cloudflare did not verify the end client's certificate");
authz('cf-client-cert, cf-cert-revoked true', %cc, headers => [cf_cert_headers('alice', revoked => 'true')],
      deny => "Cloudflare reports the end client's certificate revoked (or says nothing)");
authz('cf-client-cert, no cf-cert-revoked', %cc, headers => [cf_cert_headers('alice', revoked => undef)],
      deny => "Cloudflare reports the end client's certificate revoked (or says nothing)");
authz('cf-client-cert, no cf-cert-verified', %cc, headers => [cf_cert_headers('alice', verified => undef)],
      deny => "Cloudflare did not verify the end client's certificate");
authz('cf-client-cert, no Leg-1 headers', %cc, deny => $no_valid);
authz('cf-client-cert, cf-cert-verified repeated (invalid set)', %cc,
      headers => [cf_cert_headers('alice'), ['CF-Cert-Verified', 'true']], deny => $no_valid);
authz('cf-client-cert, Trust, ReportOnly, no AOP certificate', %cc, vhost => 'cfaop_id_report_trust', cert => undef,
      headers => \@ok_headers, deny => "$not_aop, so its headers are not believed");
authz('cf-client-cert, Trust, ReportOnly, AOP certificate', %cc, vhost => 'cfaop_id_report_trust', headers => \@ok_headers);
authz('cf-client-cert, Strip, AOP certificate', %cc, vhost => 'cfaop_id_strip', headers => \@ok_headers, deny => $no_valid);
authz('cf-client-cert origin-verified, Trust', %cc, require => 'cf-client-cert origin-verified',
      path => '/id-cc-ov/env.shtml', headers => \@ok_headers,
      deny => 'origin verification: not done (needs CFAOPClientCertHeaders Verify)');
authz('cf-client-cert origin-verified, Verify, genuine', %cc, require => 'cf-client-cert origin-verified',
      path => '/id-cc-ov/env.shtml', vhost => 'cfaop_id_verify', headers => \@ok_headers);
authz('HTTP/2 cf-client-cert, verified', %cc, h2 => 1, headers => \@ok_headers);
authz('HTTP/2 cf-client-cert, revoked', %cc, h2 => 1, headers => [cf_cert_headers('alice', revoked => 'true')],
      deny => "Cloudflare reports the end client's certificate revoked (or says nothing)");
authz('HTTP/2 cf-client-cert, no AOP certificate', %cc, h2 => 1, vhost => 'cfaop_id_report_trust', cert => undef,
      headers => \@ok_headers, deny => "$not_aop, so its headers are not believed");

# ---- Require expr "%{reqenv:CF_CLIENT_CERT_VERIFIED} == 'true'" ----------------
my %ex = (path => '/id-expr/env.shtml', vhost => 'cfaop_id_trust', cert => 'good');
{
    my $r = authz('Require expr, verified true', %ex, headers => \@ok_headers);
    ok t_cmp($r->{env}{CF_CLIENT_CERT_VERIFIED}, 'true', 'Require expr, verified true: the page sees the variable');
}
for my $case (['verified false', [cf_cert_headers('alice', verified => 'false')], 'cfaop_id_trust', 'good'],
              ['no headers', [], 'cfaop_id_trust', 'good'],
              ['Trust, ReportOnly, no AOP certificate', \@ok_headers, 'cfaop_id_report_trust', undef]) {
    my ($what, $headers, $vhost, $cert) = @$case;
    my $mark = log_mark();
    my $r = id_request(vhost => $vhost, cert => $cert, headers => $headers, path => $ex{path});
    ok t_cmp($r->{status}, 403, "Require expr, $what: 403");
    ok log_has($mark, qr/AH01630: client denied by server configuration: .*\/env\.shtml/, "Require expr, $what: httpd's denial");
}
authz('Require expr, Trust, ReportOnly, AOP certificate', %ex, vhost => 'cfaop_id_report_trust', headers => \@ok_headers);
authz('HTTP/2 Require expr, verified true', %ex, h2 => 1, headers => \@ok_headers);

# ---- mod_rewrite: RewriteCond %{ENV:CF_CLIENT_CERT_*} --------------------------
{
    my $r = id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => \@ok_headers, path => '/id-rw');
    my $no_rewrite = $r->{headers}{'x-id-no-rewrite'} ? 'mod_rewrite is not available' : '';
    skip $no_rewrite, join(' ', $r->{status} // '-', $r->{env}{ID_RW_CN} // '-'), '200 alice.example';
    $r = id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => [cf_cert_headers('alice', verified => 'false')],
                    path => '/id-rw');
    skip $no_rewrite, $r->{status}, 403;
    $r = id_request(vhost => 'cfaop_id_trust', cert => 'good', headers => [cf_cert_headers('bob')], path => '/id-rw');
    skip $no_rewrite, join(' ', $r->{status} // '-', $r->{env}{ID_RW_CN} // '-'), '200 bob.example';
}

# ---- LogFormat %{CF_CLIENT_CERT_SUBJECT_DN}e -----------------------------------
# t/conf/identity.conf.in: "id=%{X-Id-Tag}i subject=...e serial=...e origin=...e"
# (mod_log_config writes a backslash as two).
my $n = 0;
for my $case (['Trust, AOP certificate', 'cfaop_id_trust', 'good', \@ok_headers,
               sprintf('subject=%s serial=%s origin=-', log_escape($alice->{subject}), $alice->{serial})],
              ['Verify, genuine', 'cfaop_id_verify', 'good', \@ok_headers,
               sprintf('subject=%s serial=%s origin=SUCCESS', log_escape($alice->{subject}), $alice->{serial})],
              ['Verify, forged', 'cfaop_id_verify', 'good', [cf_cert_headers('forged'), ['Client-Cert', rfc9440('forged')]],
               sprintf('subject=%s serial=%s origin=FAILED:untrusted', log_escape(cert_info('forged')->{subject}),
                       cert_info('forged')->{serial})],
              ['Trust, ReportOnly, no AOP certificate', 'cfaop_id_report_trust', undef, \@ok_headers,
               'subject=- serial=- origin=-']) {
    my ($what, $vhost, $cert, $headers, $expect) = @$case;
    my $tag = "$$-" . ++$n;
    my $r = id_request(vhost => $vhost, cert => $cert, headers => [@$headers, ['X-Id-Tag', $tag]]);
    ok t_cmp($r->{status}, 200, "LogFormat, $what: served");
    ok t_cmp(access_log_line($tag) // '(no line)', "id=$tag $expect", "LogFormat, $what: the access log line");
}
{
    my $tag = "$$-h2";
    my $r = curl_request(vhost => 'cfaop_id_verify', cert => 'good', headers => [@ok_headers, ['X-Id-Tag', $tag]]);
    ok t_cmp(access_log_line($tag) // '(no line)',
             sprintf('id=%s subject=%s serial=%s origin=SUCCESS', $tag, log_escape($alice->{subject}), $alice->{serial}),
             'LogFormat, HTTP/2 Verify: the access log line');
}
