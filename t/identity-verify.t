# SPDX-License-Identifier: Apache-2.0
# CFAOPClientCertHeaders Verify: the RFC 9440 Client-Cert (with
# Client-Cert-Chain as intermediates) is verified at the origin against
# CFAOPClientCA (t/pki/endclient-ca.pem) and against cf-cert-fingerprint-sha256;
# the outcome is CF_CLIENT_CERT_ORIGIN_VERIFIED, and `Require cf-client-cert
# origin-verified` lets only SUCCESS through. Malformed header sets export
# nothing else (CFAOP0302); verification failures are logged (CFAOP0303).
# Vhost cfaop_id_verify (t/conf/identity.conf.in, LimitRequestFieldSize 32768
# so that the 10 KiB limit is the module's); AOP certificate: good.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Identity;

my $curl_v = qx{curl -V 2>/dev/null} // '';
plan tests => 148, need { 'curl with HTTP/2' => $curl_v =~ /^Features:.*\bHTTP2\b/m };

my $alice = cert_info('alice');
my $bob   = cert_info('bob');

# The CF_CLIENT_CERT_* names a valid set of cf-cert-* headers gives.
my @cf_keys = map { 'CF_CLIENT_CERT_' . uc($_->[0] =~ tr/-/_/r) } cf_cert_fields('alice');

# One case: a request to /env.shtml (the variables) and one to /id-cc-ov/
# (Require cf-client-cert origin-verified), both with these headers.
#   origin => CF_CLIENT_CERT_ORIGIN_VERIFIED expected
#   keys   => the CF_CLIENT_CERT_* names expected besides ORIGIN_VERIFIED
#             ([] for a malformed set: nothing else)
#   pem    => t/pki name whose PEM CF_CLIENT_CERT_PEM must be
#   log    => a regexp the error log must show; nolog => none of CFAOP030[23]
#   status => of /id-cc-ov/env.shtml
sub verify_case {
    my ($what, %a) = @_;
    my $mark = log_mark();
    my $r = $a{h2} ? curl_request(vhost => 'cfaop_id_verify', cert => 'good', headers => $a{headers})
                   : id_request(vhost => 'cfaop_id_verify', cert => 'good', headers => $a{headers});
    my $env = $r->{env} || {};
    ok t_cmp(join(' ', $r->{status} // '-', $env->{CF_AOP_VERIFIED} // '-'), '200 SUCCESS', "$what: served");
    ok t_cmp($env->{CF_CLIENT_CERT_ORIGIN_VERIFIED}, $a{origin}, "$what: CF_CLIENT_CERT_ORIGIN_VERIFIED");
    ok t_cmp(leg1_keys($env), join(' ', sort @{ $a{keys} }, 'CF_CLIENT_CERT_ORIGIN_VERIFIED'),
             "$what: " . (@{ $a{keys} } ? 'the other variables' : 'no other CF_CLIENT_CERT_* (nothing partial)'));
    if ($a{pem}) {
        ok t_cmp(pem_header($r, 'X-Id-Pem'), cert_pem($a{pem}), "$what: CF_CLIENT_CERT_PEM");
    }
    if ($a{log}) {
        ok log_has($mark, $a{log}, "$what: log line");
    }
    elsif ($a{nolog}) {
        ok log_lacks($mark, qr/CFAOP030[23]/, "$what: no CFAOP0302/0303 line");
    }
    $mark = log_mark();
    my $z = $a{h2} ? curl_request(vhost => 'cfaop_id_verify', cert => 'good', headers => $a{headers}, path => '/id-cc-ov/env.shtml')
                   : id_request(vhost => 'cfaop_id_verify', cert => 'good', headers => $a{headers}, path => '/id-cc-ov/env.shtml');
    ok t_cmp($z->{status}, $a{status}, "$what: Require cf-client-cert origin-verified");
    if ($a{status} == 403) {
        ok log_has($mark, qr/CFAOP0401: Require cf-client-cert origin-verified denied: reason=\Q$a{deny}\E client=127\.0\.0\.1 uri="\/id-cc-ov\/env\.shtml"$/,
                   "$what: CFAOP0401");
    }
}

my $no_valid = "no valid client-certificate headers (CFAOPClientCertHeaders Trust or Verify, and Cloudflare's client certificate headers)";
my $invalid = qr/CFAOP0302: client-certificate headers ignored: reason=invalid client=127\.0\.0\.1: /;
sub failed_line {
    my ($reason, $detail) = @_;
    my $d = defined $detail ? qr/ detail="\Q$detail\E"$/ : qr/ detail="[^"]+"$/;
    return qr/CFAOP0303: end client certificate failed verification at the origin: reason=\Q$reason\E client=127\.0\.0\.1$d/;
}

# A genuine end-client certificate, issued by the CA directly.
verify_case('genuine leaf', headers => [cf_cert_headers('alice'), ['Client-Cert', rfc9440('alice')]],
            origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], pem => 'alice', nolog => 1,
            status => 200);
# Issued by an intermediate that Client-Cert-Chain carries.
verify_case('leaf + chain', headers => [cf_cert_headers('bob'), ['Client-Cert', rfc9440('bob')],
                                        ['Client-Cert-Chain', rfc9440_chain('endclient-int')]],
            origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM', 'CF_CLIENT_CERT_CHAIN_PEM'],
            pem => 'bob', nolog => 1, status => 200);
# The same leaf without its intermediate does not chain to the CA.
verify_case('leaf without its chain', headers => [cf_cert_headers('bob'), ['Client-Cert', rfc9440('bob')]],
            origin => 'FAILED:untrusted', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], pem => 'bob',
            log => failed_line('untrusted'), status => 403, deny => 'origin verification: FAILED:untrusted');
# A forged self-signed look-alike (same subject and serial, its own key),
# with the fingerprint header consistent with it.
verify_case('forged self-signed look-alike', headers => [cf_cert_headers('forged'), ['Client-Cert', rfc9440('forged')]],
            origin => 'FAILED:untrusted', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], pem => 'forged',
            log => failed_line('untrusted'), status => 403, deny => 'origin verification: FAILED:untrusted');
# Truncated: the base64 cut at a 4-character boundary (valid base64, cut
# DER), and cut inside a quantum (not base64 at all).
{
    my $b64 = cert_der_b64('alice');
    my $cut4 = substr($b64, 0, 4 * int(length($b64) / 8));
    for my $case (['at a 4-character boundary', ":$cut4:", 'not a DER certificate'],
                  ['mid-quantum', ':' . substr($b64, 0, length($b64) - 3) . ':', 'bad base64 padding']) {
        verify_case("truncated Client-Cert ($case->[0])", headers => [cf_cert_headers('alice'), ['Client-Cert', $case->[1]]],
                    origin => 'FAILED:invalid', keys => [], log => qr/${invalid}Client-Cert: \Q$case->[2]\E$/,
                    status => 403, deny => $no_valid);
    }
}
# The fingerprint Cloudflare reported is another certificate's.
verify_case('fingerprint mismatch', headers => [cf_cert_headers('alice', 'fingerprint-sha256' => $bob->{sha256}),
                                                ['Client-Cert', rfc9440('alice')]],
            origin => 'FAILED:pin-mismatch', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], pem => 'alice',
            log => failed_line('pin-mismatch', "cf-cert-fingerprint-sha256 is $bob->{sha256}, the Client-Cert's SHA-256 is $alice->{sha256}"),
            status => 403, deny => 'origin verification: FAILED:pin-mismatch');
# The same fingerprint written with colons, upper case: still the certificate's.
{
    my $colons = join ':', map { uc } unpack '(A2)*', $alice->{sha256};
    verify_case('fingerprint with colons', headers => [cf_cert_headers('alice', 'fingerprint-sha256' => $colons),
                                                       ['Client-Cert', rfc9440('alice')]],
                origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], nolog => 1, status => 200);
}
# A fingerprint header that is no SHA-256 at all.
verify_case('fingerprint not SHA-256', headers => [cf_cert_headers('alice', 'fingerprint-sha256' => substr($alice->{sha256}, 0, 40)),
                                                   ['Client-Cert', rfc9440('alice')]],
            origin => 'FAILED:invalid', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'],
            log => failed_line('invalid', 'cf-cert-fingerprint-sha256: not a SHA-256 fingerprint (64 hex digits, colons between bytes)'),
            status => 403, deny => 'origin verification: FAILED:invalid');
# A 12 KiB Client-Cert (a genuine leaf with a large extension): httpd lets
# it through (LimitRequestFieldSize 32768), the module refuses it. The
# same kind of leaf just under 10 KiB passes (control).
{
    my $big = rfc9440('alice-big');
    my $mid = rfc9440('alice-mid');
    ok t_cmp(length($big) > 12 * 1024 && length($big) < 13 * 1024 && length($mid) < 10 * 1024 && length($mid) > 9.5 * 1024
             ? 'sizes ok' : 'big ' . length($big) . ', mid ' . length($mid), 'sizes ok',
             'alice-big is a 12 KiB header value, alice-mid just under 10 KiB');
    verify_case('12 KiB Client-Cert', headers => [cf_cert_headers('alice-big'), ['Client-Cert', $big]],
                origin => 'FAILED:invalid', keys => [],
                log => qr/${invalid}Client-Cert: the value is longer than 10240 bytes \(${\ length $big}\)$/,
                status => 403, deny => $no_valid);
    verify_case('9.8 KiB Client-Cert', headers => [cf_cert_headers('alice-mid'), ['Client-Cert', $mid]],
                origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], pem => 'alice-mid', nolog => 1,
                status => 200);
}
# Only the cf-cert-* fields: nothing to verify.
verify_case('no Client-Cert', headers => [cf_cert_headers('alice')],
            origin => 'NONE', keys => \@cf_keys, nolog => 1,
            status => 403, deny => 'origin verification: NONE');
# Client-Cert twice (httpd joins them with ", ").
verify_case('Client-Cert repeated', headers => [cf_cert_headers('alice'), ['Client-Cert', rfc9440('alice')],
                                               ['client-cert', rfc9440('alice')]],
            origin => 'FAILED:invalid', keys => [], log => qr/${invalid}Client-Cert: trailing characters after the byte sequence$/,
            status => 403, deny => $no_valid);
# A field repeated in another case (joined by httpd), and two spellings of
# one field that disagree.
verify_case('cf-cert-serial repeated', headers => [cf_cert_headers('alice'), ['CF-Cert-Serial', $alice->{serial}],
                                                  ['Client-Cert', rfc9440('alice')]],
            origin => 'FAILED:invalid', keys => [],
            log => qr/${invalid}cf-cert-serial: the value has a ',' \(the header is repeated, or malformed\)$/,
            status => 403, deny => $no_valid);
verify_case('cf-cert-serial and cf-client-cert-serial disagree',
            headers => [cf_cert_headers('alice'), ['cf-client-cert-serial', $bob->{serial}], ['Client-Cert', rfc9440('alice')]],
            origin => 'FAILED:invalid', keys => [],
            log => qr/${invalid}cf-client-cert-serial: disagrees with cf-cert-serial \(both set CF_CLIENT_CERT_SERIAL\)$/,
            status => 403, deny => $no_valid);
# A module-set name as a header, with an otherwise genuine set: never SUCCESS.
verify_case('cf-client-cert-origin-verified header', headers => [cf_cert_headers('alice'), ['Client-Cert', rfc9440('alice')],
                                                                ['cf-client-cert-origin-verified', 'SUCCESS']],
            origin => 'FAILED:invalid', keys => [],
            log => qr/${invalid}cf-client-cert-origin-verified: CF_CLIENT_CERT_ORIGIN_VERIFIED is set by the module, never from a header$/,
            status => 403, deny => $no_valid);
# Client-Cert-Chain limits: 8 certificates pass, 9 do not; a chain without a leaf.
verify_case('chain of 8', headers => [cf_cert_headers('bob'), ['Client-Cert', rfc9440('bob')],
                                      ['Client-Cert-Chain', rfc9440_chain(('endclient-int') x 8)]],
            origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM', 'CF_CLIENT_CERT_CHAIN_PEM'], nolog => 1,
            status => 200);
verify_case('chain of 9', headers => [cf_cert_headers('bob'), ['Client-Cert', rfc9440('bob')],
                                      ['Client-Cert-Chain', rfc9440_chain(('endclient-int') x 9)]],
            origin => 'FAILED:invalid', keys => [], log => qr/${invalid}Client-Cert-Chain: more than 8 certificates$/,
            status => 403, deny => $no_valid);
verify_case('chain without Client-Cert', headers => [cf_cert_headers('bob'), ['Client-Cert-Chain', rfc9440_chain('endclient-int')]],
            origin => 'FAILED:invalid', keys => [], log => qr/${invalid}Client-Cert-Chain: sent without Client-Cert$/,
            status => 403, deny => $no_valid);
# Origin verification succeeds, but Cloudflare said not verified / revoked:
# origin-verified needs both.
verify_case('SUCCESS but cf-cert-verified false', headers => [cf_cert_headers('alice', verified => 'false'), ['Client-Cert', rfc9440('alice')]],
            origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], nolog => 1,
            status => 403, deny => "Cloudflare did not verify the end client's certificate");
verify_case('SUCCESS but cf-cert-revoked true', headers => [cf_cert_headers('alice', revoked => 'true'), ['Client-Cert', rfc9440('alice')]],
            origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], nolog => 1,
            status => 403, deny => "Cloudflare reports the end client's certificate revoked (or says nothing)");

# HTTP/2: the same outcomes.
verify_case('HTTP/2 genuine leaf + chain', h2 => 1,
            headers => [cf_cert_headers('bob'), ['Client-Cert', rfc9440('bob')], ['Client-Cert-Chain', rfc9440_chain('endclient-int')]],
            origin => 'SUCCESS', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM', 'CF_CLIENT_CERT_CHAIN_PEM'], pem => 'bob',
            nolog => 1, status => 200);
verify_case('HTTP/2 forged look-alike', h2 => 1, headers => [cf_cert_headers('forged'), ['Client-Cert', rfc9440('forged')]],
            origin => 'FAILED:untrusted', keys => [@cf_keys, 'CF_CLIENT_CERT_PEM'], pem => 'forged',
            log => failed_line('untrusted'), status => 403, deny => 'origin verification: FAILED:untrusted');

# A field value of exactly 10 KiB is accepted; one byte more is not.
{
    my @base = (cf_cert_headers('alice'), ['Client-Cert', rfc9440('alice')]);
    my $r = id_request(vhost => 'cfaop_id_verify', cert => 'good', headers => [@base, ['cf-client-cert-note', 'n' x 10240]]);
    ok t_cmp(join(' ', $r->{status} // '-', $r->{env}{CF_CLIENT_CERT_ORIGIN_VERIFIED} // '-',
                  length($r->{env}{CF_CLIENT_CERT_NOTE} // '')),
             '200 SUCCESS 10240', 'a 10240-byte field value: exported');
    my $mark = log_mark();
    $r = id_request(vhost => 'cfaop_id_verify', cert => 'good', headers => [@base, ['cf-client-cert-note', 'n' x 10241]]);
    ok t_cmp(join(' ', $r->{status} // '-', leg1_keys($r->{env})), '200 CF_CLIENT_CERT_ORIGIN_VERIFIED',
             'a 10241-byte field value: nothing exported');
    ok log_has($mark, qr/${invalid}cf-client-cert-note: the value is longer than 10240 bytes \(10241\)$/,
               'a 10241-byte field value: CFAOP0302');
}

sub unless_skip {
    my ($skip, $got, $expected, $what) = @_;
    return $skip ? skip($skip, 1) : ok(t_cmp($got, $expected, $what));
}

# Internal redirects (an ErrorDocument; a front controller made with
# per-directory mod_rewrite) run the request again: the application behind
# them sees the same CF_CLIENT_CERT_* as the original request had.
{
    my @genuine = (cf_cert_headers('alice'), ['Client-Cert', rfc9440('alice')]);
    my $cut = cert_der_b64('alice');
    my @broken = (cf_cert_headers('alice'), ['Client-Cert', ':' . substr($cut, 0, 4 * int(length($cut) / 8)) . ':']);
    for my $case (['ErrorDocument', '/id-missing/nothing-here', 404], ['front controller', '/id-fc/some/route', 200]) {
        my ($how, $path, $status) = @$case;
        my $r = id_request(vhost => 'cfaop_id_verify', cert => 'good', path => $path, headers => \@genuine);
        my $skip = $r->{headers}{'x-id-no-rewrite'} && $how eq 'front controller' ? 'mod_rewrite is not available' : '';
        my $env = $r->{env} || {};
        unless_skip($skip, join(' ', $r->{status} // '-', $env->{REDIRECT_STATUS} // '-', $env->{CF_AOP_VERIFIED} // '-',
                                $env->{CF_CLIENT_CERT_ORIGIN_VERIFIED} // '-', $env->{CF_CLIENT_CERT_SERIAL} // '-'),
                    "$status $status SUCCESS SUCCESS $alice->{serial}", "$how, genuine Client-Cert: the variables after the redirect");
        $r = id_request(vhost => 'cfaop_id_verify', cert => 'good', path => $path, headers => \@broken);
        $env = $r->{env} || {};
        unless_skip($skip, join(' ', $r->{status} // '-', $env->{REDIRECT_STATUS} // '-', leg1_keys($env) || '-',
                                $env->{CF_CLIENT_CERT_ORIGIN_VERIFIED} // '-'),
                    "$status $status CF_CLIENT_CERT_ORIGIN_VERIFIED FAILED:invalid",
                    "$how, truncated Client-Cert: still FAILED:invalid after the redirect (the request did carry one)");
    }
}
