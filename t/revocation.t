# SPDX-License-Identifier: Apache-2.0
# Revocation, deny list and pins together (<VirtualHost rev_order>: root-ca's
# CRL, a deny list and pins on one vhost): when several reasons apply, the
# first of the SPEC's order is reported: chain errors, then revoked, then
# denied-serial, then pin-mismatch, each with its alert. The feature cases
# one by one are in t/revocation-crl.t, t/revocation-deny.t and
# t/revocation-pin.t.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Revocation;

my %alert = (revoked => 'certificate_revoked', 'denied-serial' => 'certificate_revoked',
             'pin-mismatch' => 'bad_certificate', expired => 'certificate_expired');
my @cases = (
    # [certificate, what applies to it, expected]
    ['crl-revoked',     'revoked, denied, not pinned',        'revoked'],
    ['expired-revoked', 'expired, revoked, denied, not pinned', 'expired'],
    ['pin-other',       'denied, not pinned',                 'denied-serial'],
    ['pin-c',           'denied, pinned',                     'denied-serial'],
    ['pin-b',           'not pinned',                         'pin-mismatch'],
    ['pin-a',           'pinned, nothing else',               'ok'],
);
# Where nothing is configured they all pass, but the expired one.
my @controls = grep { $_ ne 'expired-revoked' } map { $_->[0] } @cases;

my $n = @controls * ACCEPTED_TESTS;
for my $tls ('1.3', '1.2') {
    $n += $_->[2] eq 'ok' ? ACCEPTED_TESTS : REFUSED_TESTS for @cases;
}
plan tests => $n;

accepted_ok(vhost => 'rev_base', cert => $_) for @controls;
for my $tls ('1.3', '1.2') {
    for my $case (@cases) {
        my ($cert, undef, $want) = @$case;
        if ($want eq 'ok') {
            accepted_ok(vhost => 'rev_order', cert => $cert, tls => $tls);
        }
        else {
            refused_ok(vhost => 'rev_order', cert => $cert, tls => $tls,
                       reason => $want, alert => $alert{$want});
        }
    }
}
