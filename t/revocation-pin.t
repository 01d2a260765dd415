# SPDX-License-Identifier: Apache-2.0
# CFAOPPinSHA256 and CFAOPPinSPKI, end to end: a leaf pinned by its
# certificate's SHA-256 passes, and so does one pinned by its key (SPKI); a
# certificate re-issued with the same key passes the SPKI pin and fails the
# hash pin (pin-mismatch, bad_certificate); an unpinned leaf of the trusted
# CA fails; a pin written with colons or in upper case works; with both
# kinds set, either match passes. Every certificate is first shown to pass on
# rev_base (same anchor, no pin). Malformed pins fail configtest.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Revocation;

my @controls = map { ['rev_base', $_, 'ok'] } qw(pin-a pin-a-reissued pin-b pin-c pin-other);
my @cases = (
    # pin-a by certificate SHA-256 (lower-case hex)
    ['rev_pin_hash', 'pin-a', 'ok'],
    ['rev_pin_hash', 'pin-a-reissued', 'pin-mismatch'],
    ['rev_pin_hash', 'pin-other', 'pin-mismatch'],
    # pin-a by SPKI
    ['rev_pin_spki', 'pin-a', 'ok'],
    ['rev_pin_spki', 'pin-a-reissued', 'ok'],
    ['rev_pin_spki', 'pin-other', 'pin-mismatch'],
    # pin-b as AB:CD:..., pin-c as upper-case hex without colons
    ['rev_pin_forms', 'pin-b', 'ok'],
    ['rev_pin_forms', 'pin-c', 'ok'],
    ['rev_pin_forms', 'pin-a', 'pin-mismatch'],
    # pin-b by hash and pin-a by SPKI
    ['rev_pin_both', 'pin-b', 'ok'],
    ['rev_pin_both', 'pin-a', 'ok'],
    ['rev_pin_both', 'pin-a-reissued', 'ok'],
    ['rev_pin_both', 'pin-c', 'pin-mismatch'],
    ['rev_pin_both', 'pin-other', 'pin-mismatch'],
);
my @tls12 = grep { $_->[0] eq 'rev_pin_hash' || ($_->[0] eq 'rev_pin_spki' && $_->[1] eq 'pin-a-reissued') } @cases;

my $root = pki('rev/root-ca.pem');
my $hex = cert_info(rev('pin-a'))->{sha256};
my @bad_pins = (
    # [directive, argument]
    ['CFAOPPinSHA256', substr($hex, 1)],                   # 63 digits
    ['CFAOPPinSHA256', substr($hex, 0, 40)],               # a SHA-1 fingerprint's length
    ['CFAOPPinSHA256', 'zz' . substr($hex, 2)],
    ['CFAOPPinSHA256', substr($hex, 0, 1) . ':' . substr($hex, 1)],   # a colon inside a byte
    ['CFAOPPinSPKI', 'AAAA'],
    ['CFAOPPinSPKI', '-' x 43 . '='],
    ['CFAOPPinSPKI', $hex],                                # hex given where base64 is due
);

my $n = 3;
$n += $_->[2] eq 'ok' ? ACCEPTED_TESTS : REFUSED_TESTS for @controls, @cases, @tls12;
plan tests => $n + 3 * @bad_pins + 2;

# The premise of the re-issue cases: the same key, another certificate.
my ($orig, $reissued) = map { cert_info(rev($_)) } 'pin-a', 'pin-a-reissued';
my ($a_key, $r_key) = map { scalar qx{openssl x509 -in '${\ pki(rev("$_.pem"))}' -noout -pubkey} } 'pin-a', 'pin-a-reissued';
ok t_cmp($a_key =~ /BEGIN PUBLIC KEY/ ? $r_key : 'openssl printed no key', $a_key, 'pin-a-reissued has the key of pin-a');
ok t_cmp($reissued->{sha256} ne $orig->{sha256} ? 'differ' : 'same', 'differ', 'pin-a-reissued is another certificate');
ok t_cmp($reissued->{serial} ne $orig->{serial} ? 'differ' : 'same', 'differ', 'pin-a-reissued has another serial');

sub run_case {
    my ($tls, $vhost, $cert, $want) = @_;
    my %a = (vhost => $vhost, cert => $cert, tls => $tls);
    return accepted_ok(%a) if $want eq 'ok';
    return refused_ok(%a, reason => $want, alert => 'bad_certificate');
}

run_case('1.3', @$_) for @controls, @cases;
run_case('1.2', @$_) for @tls12;

sub pin_conf {
    my $directive = shift;
    return qq{<VirtualHost 127.0.0.1:8443>\nSSLEngine on\nCFAOP On\nCFAOPTrustedCA "$root"\n}
         . "$directive\n</VirtualHost>\n";
}
for my $bad (@bad_pins) {
    my ($directive, $arg) = @$bad;
    my $t = configtest(pin_conf(qq{$directive "$arg"}));
    my $line = $t->{line} + 4;
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "$directive '$arg': configtest fails");
    ok t_cmp($t->{output}, qr/Syntax error on line $line of \Q$t->{conf}\E:/, "$directive '$arg': names the line");
    ok t_cmp($t->{output}, qr/CFAOP0001: \Q$directive\E: .*\Q$arg\E/, "$directive '$arg': CFAOP0001 quotes it");
}
{
    # The control: the well-formed pins of the running server's vhosts.
    my $body = '';
    for my $file (qw(pins-hash pins-spki pins-forms pins-both)) {
        open my $fh, '<', pki("rev/$file.conf") or die "$file: $!";
        $body .= do { local $/; <$fh> };
    }
    my $t = configtest(pin_conf($body));
    ok t_cmp($t->{rc}, 0, 'well-formed pins: configtest passes');
    ok t_cmp(join(',', $t->{output} =~ /(CFAOP\d+)/g), '', 'well-formed pins: no CFAOP message');
}
