# SPDX-License-Identifier: Apache-2.0
# Per-hostname AOP on <VirtualHost cfaop_hn> (t/conf/hostname.conf.in):
# the SNI selects the policy (exact entry, else the one-label wildcard of
# its parent, else the zone anchors), the handshake is judged by that
# policy's CAs only, and the CertificateRequest names those CAs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Hostname;

my $app   = 'hostname:app.example.test';
my $shop  = 'hostname:shop.example.test';
my $wild  = 'hostname:*.example.test';
my $admin = 'hostname:admin.example.test';
my $rot   = 'hostname:rot.example.test';

# [SNI (undef: none), leaf (pki/hn/NAME, or /NAME in pki), expected policy]
my @accepted = (
    ['app.example.test',   'app',     $app],
    # configured as "SHOP.Example.TEST.": compared lower-cased, dot ignored
    ['shop.example.test',  'shop',    $shop],
    ['a.example.test',     'wild',    $wild],
    ['A.Example.TEST',     'wild',    $wild],
    ['APP.example.Test',   'app',     $app],
    # exact beats wildcard
    ['admin.example.test', 'admin',   $admin],
    # rotation: both CA files of one entry
    ['rot.example.test',   'rot-old', $rot],
    ['rot.example.test',   'rot-new', $rot],
    # the zone anchors: no SNI, an SNI without entry, two labels under the
    # wildcard, the wildcard's bare domain
    [undef,                '/good',   'zone'],
    ['www.other.test',     '/good',   'zone'],
    ['x.a.example.test',   '/good',   'zone'],
    ['example.test',       '/good',   'zone'],
);

# [SNI, leaf, policy that judged and refused it]: the same leaves, each
# where it does not belong (every leaf above passes somewhere).
my @refused = (
    ['app.example.test',   'shop',    $app],
    ['shop.example.test',  'app',     $shop],
    ['app.example.test',   '/good',   $app],     # the zone CA does not open a hostname
    ['a.example.test',     'admin',   $wild],
    ['admin.example.test', 'wild',    $admin],   # the wildcard's CA does not open the exact entry
    ['x.a.example.test',   'wild',    'zone'],   # two labels: not the wildcard's
    ['example.test',       'wild',    'zone'],   # bare domain: not the wildcard's
    [undef,                'app',     'zone'],
    ['www.other.test',     'app',     'zone'],
    ['rot.example.test',   'app',     $rot],
    ['A.EXAMPLE.TEST',     'app',     $wild],
);

my @ca_names = (
    # [SNI, tls, CA files (pki/hn/NAME, /NAME in pki) in the order configured]
    ['app.example.test',   '1.3', ['app-ca']],
    ['SHOP.example.test',  '1.3', ['shop-ca']],
    ['b.example.test',     '1.3', ['wild-ca']],
    ['admin.example.test', '1.3', ['admin-ca']],
    ['rot.example.test',   '1.3', ['rot-old-ca', 'rot-new-ca']],
    ['x.a.example.test',   '1.3', ['/root-ca']],
    [undef,                '1.3', ['/root-ca']],
    ['app.example.test',   '1.2', ['app-ca']],
    ['rot.example.test',   '1.2', ['rot-old-ca', 'rot-new-ca']],
);

plan tests => 3 * @accepted + 2 * @refused + 4 + 2 + @ca_names;

my $s = sub { $_[0] // '(no SNI)' };

for my $c (@accepted) {
    my ($sni, $cert, $policy) = @$c;
    my $info = cert_info(hn_cert($cert));
    my $r = tls_request(vhost => 'cfaop_hn', cert => hn_cert($cert), sni => $sni);
    ok t_cmp(hn_summary($r), "new 200 SUCCESS $policy no-alert", "SNI " . $s->($sni) . ", leaf $cert: accepted by $policy");
    ok t_cmp($r->{env}{CF_AOP_CERT_SERIAL} // '-', $info->{serial}, "SNI " . $s->($sni) . ", leaf $cert: CF_AOP_CERT_SERIAL");
    ok t_cmp($r->{env}{SSL_CLIENT_VERIFY} // '-', 'SUCCESS', "SNI " . $s->($sni) . ", leaf $cert: SSL_CLIENT_VERIFY");
}

for my $c (@refused) {
    my ($sni, $cert, $policy) = @$c;
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', cert => hn_cert($cert), sni => $sni);
    # Under TLS 1.3 the alert may come after the client's side of the
    # handshake is done: only the status and the alert are compared.
    ok t_cmp(join(' ', $r->{status} // 'no-response', $r->{alert} // 'no-alert'), 'no-response unknown_ca',
             "SNI " . $s->($sni) . ", leaf $cert: refused by $policy with unknown_ca");
    my $line = log_wait($mark, hn_line(id => 'CFAOP0101', what => 'handshake rejected', reason => 'untrusted',
                                       sni => $sni, policy => $policy, cert => $cert));
    ok t_cmp($line // 'none', qr/CFAOP0101: .* policy=\Q$policy\E /,
             "SNI " . $s->($sni) . ", leaf $cert: CFAOP0101 names policy $policy");
}

# No certificate at all, under a hostname policy: TLS 1.3 and 1.2 alerts.
for my $case (['1.3', 'certificate_required'], ['1.2', 'handshake_failure']) {
    my ($tls, $alert) = @$case;
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', sni => 'app.example.test', tls => $tls);
    ok t_cmp(join(' ', $r->{status} // 'no-response', $r->{alert} // 'no-alert'), "no-response $alert",
             "TLS $tls: SNI app.example.test, no certificate: $alert");
    ok t_cmp(log_wait($mark, hn_line(id => 'CFAOP0101', what => 'handshake rejected', reason => 'no-cert',
                                     sni => 'app.example.test', policy => $app)) // 'none',
             qr/CFAOP0101: handshake rejected: reason=no-cert .*policy=\Q$app\E /,
             "TLS $tls: no certificate: CFAOP0101 with the hostname policy");
}

# TLS 1.2: the other hostname's leaf is refused inside the handshake.
{
    my $mark = log_mark();
    my $r = tls_request(vhost => 'cfaop_hn', cert => 'hn/shop', sni => 'app.example.test', tls => '1.2');
    ok t_cmp(join(' ', $r->{connected} ? 'connected' : 'handshake-failed', $r->{alert} // 'no-alert'),
             'handshake-failed unknown_ca', 'TLS 1.2: SNI app, leaf shop: the handshake fails with unknown_ca');
    ok t_cmp(log_wait($mark, hn_line(id => 'CFAOP0101', what => 'handshake rejected', reason => 'untrusted',
                                     sni => 'app.example.test', policy => $app, cert => 'shop')) // 'none',
             qr/CFAOP0101/, 'TLS 1.2: SNI app, leaf shop: CFAOP0101');
}

# The CertificateRequest names the CAs of the policy the SNI selects.
for my $c (@ca_names) {
    my ($sni, $tls, $files) = @$c;
    my $names = openssl_ca_names(vhost => 'cfaop_hn', sni => $sni, tls => $tls);
    ok t_cmp(join(' | ', @{ $names || ['no CertificateRequest'] }), join(' | ', map { hn_subject($_) } @$files),
             "TLS $tls: SNI " . $s->($sni) . ": CertificateRequest names " . join(', ', @$files));
}
