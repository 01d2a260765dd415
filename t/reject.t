# SPDX-License-Identifier: Apache-2.0
# Every rejection reason, end to end, under TLS 1.3 and TLS 1.2: the
# handshake fails with the TLS alert the contract names, no request is
# served, and one CFAOP0101 line with the reason, client address, SNI,
# subject, issuer and serial is logged.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

# [reason, certificate (undef: none), send the chain?, alert TLS 1.3, alert TLS 1.2]
my @cases = (
    ['no-cert',        undef,        0, 'certificate_required', 'handshake_failure'],
    ['untrusted',      'wrongca',    0, 'unknown_ca',           'unknown_ca'],
    ['untrusted',      'selfsigned', 0, 'unknown_ca',           'unknown_ca'],
    ['expired',        'expired',    0, 'certificate_expired',  'certificate_expired'],
    ['not-yet-valid',  'notyet',     0, 'bad_certificate',      'bad_certificate'],
    ['bad-signature',  'badsig',     0, 'decrypt_error',        'decrypt_error'],
    # the root is the anchor, CFAOPVerifyDepth is 1, the leaf comes with its intermediate
    ['depth-exceeded', 'int-leaf',   1, 'bad_certificate',      'bad_certificate'],
);

plan tests => 2 * 4 * @cases;

for my $tls ('1.3', '1.2') {
    # SNI is sent under TLS 1.3 and not under 1.2, so both forms of sni= are seen.
    my $sni = $tls eq '1.3' ? 'origin.test' : undef;
    for my $case (@cases) {
        my ($reason, $cert, $chain, $alert13, $alert12) = @$case;
        my $what = sprintf 'TLS %s, %s (%s)', $tls, $reason, $cert // 'no certificate';
        my $mark = log_mark();
        my $r = tls_request(vhost => 'cfaop_on', cert => $cert, chain => $chain,
                            tls => $tls, sni => $sni);

        # TLS 1.2 fails in the handshake; under TLS 1.3 the client may finish its
        # side first and see the alert on its first read. Either way: no response.
        my $outcome = ($r->{connected} ? 'connected' : 'refused') . '/'
                    . ($r->{status} // 'no-response');
        ok t_cmp($outcome, $tls eq '1.2' ? 'refused/no-response' : qr{^(?:refused|connected)/no-response$},
                 "$what: refused");
        ok t_cmp($r->{alert} // 'none', $tls eq '1.2' ? $alert12 : $alert13, "$what: TLS alert");

        my $line = log_wait($mark, verdict_line(id => 'CFAOP0101', what => 'handshake rejected',
                                                reason => $reason, sni => $sni, cert => $cert));
        ok t_cmp($line // 'no such line', qr/CFAOP0101/, "$what: CFAOP0101 line");
        my @verdicts = log_since($mark) =~ /(CFAOP01\d\d)/g;
        ok t_cmp(scalar(@verdicts), 1, "$what: one verdict line");
    }
}
