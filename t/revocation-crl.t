# SPDX-License-Identifier: Apache-2.0
# CFAOPRevocationFile, end to end: a leaf and an intermediate revoked by
# their issuer's CRL are refused with certificate_revoked (reason=revoked),
# while certificates of the same CAs that the CRL does not list pass; CRLs in
# DER, several in one PEM file, and from several directives; a CRL past its
# nextUpdate is still applied and warned about; a CRL that no trusted anchor
# signed fails configtest. Every refused certificate is first shown to pass
# on rev_base (same anchors, no CRL), so each refusal is the CRL's doing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Revocation;

# [vhost, certificate, send the intermediate?, expected: 'ok' or reason]
my @controls = map { ['rev_base', @$_, 'ok'] }
    ['crl-revoked', 0], ['crl-ok', 0], ['int-bad-leaf', 1], ['int-ok-leaf', 1],
    ['other-revoked', 0], ['other-ok', 0];
my @cases = (
    # root-ca's CRL, PEM: the leaf it lists; the intermediate it lists (the
    # leaf under it is not listed anywhere); certificates it does not list.
    ['rev_crl', 'crl-revoked', 0, 'revoked'],
    ['rev_crl', 'crl-ok', 0, 'ok'],
    ['rev_crl', 'int-bad-leaf', 1, 'revoked'],
    ['rev_crl', 'int-ok-leaf', 1, 'ok'],
    # root-ca's CRL in DER, other-ca's from a second directive
    ['rev_crl_der', 'crl-revoked', 0, 'revoked'],
    ['rev_crl_der', 'other-revoked', 0, 'revoked'],
    ['rev_crl_der', 'crl-ok', 0, 'ok'],
    ['rev_crl_der', 'other-ok', 0, 'ok'],
    # both CRLs in one PEM file: the first and the second are applied
    ['rev_crl_two', 'crl-revoked', 0, 'revoked'],
    ['rev_crl_two', 'other-revoked', 0, 'revoked'],
    ['rev_crl_two', 'crl-ok', 0, 'ok'],
    ['rev_crl_two', 'other-ok', 0, 'ok'],
);
# The main cases under TLS 1.2 too.
my @tls12 = grep { $_->[0] eq 'rev_crl' } @cases;

my $n_cases = 0;
$n_cases += $_->[3] eq 'ok' ? ACCEPTED_TESTS : REFUSED_TESTS for @controls, @cases, @tls12;
plan tests => $n_cases + (ACCEPTED_TESTS + REFUSED_TESTS + 2) + 2 * 4 + 2 * 3 + 4;

sub run_case {
    my ($tls, $vhost, $cert, $chain, $want) = @_;
    my %a = (vhost => $vhost, cert => $cert, chain => $chain, tls => $tls);
    return accepted_ok(%a) if $want eq 'ok';
    return refused_ok(%a, reason => $want, alert => 'certificate_revoked');
}

run_case('1.3', @$_) for @controls, @cases;
run_case('1.2', @$_) for @tls12;

# ---- a stale CRL: still applied, warned about ----------------------------
my $stale = pki('rev/stale.crl.pem');
my $port = port('rev_crl_stale');
my $mark = log_mark();
refused_ok(vhost => 'rev_crl_stale', cert => 'crl-revoked', reason => 'revoked',
           alert => 'certificate_revoked');
accepted_ok(vhost => 'rev_crl_stale', cert => 'crl-ok');
# Startup says it (CFAOP0014); the parent repeats it (CFAOP0107) at most
# once an hour per vhost, whatever the number of children or handshakes:
# so none within these seconds, although the MPM's monitor runs each second.
sleep 2;
ok t_cmp(scalar(grep { /CFAOP0107: a CRL of \S+:\Q$port\E / } split /\n/, log_since(0)), 0,
         'stale CRL: no CFAOP0107 repeat within the hour, however many handshakes');
# ... and at startup, naming the file.
ok t_cmp(log_wait(0, qr/CFAOP0014: virtual host \S+:\Q$port\E .*\Q$stale\E: the CRL issued by .* is past its nextUpdate/)
         // 'no such line', qr/CFAOP0014/, 'stale CRL: CFAOP0014 in the error log at startup');

# ---- httpd -t ----------------------------------------------------------------
my $root = pki('rev/root-ca.pem');
sub crl_conf {
    my $file = shift;
    return qq{<VirtualHost 127.0.0.1:8443>\nSSLEngine on\nCFAOP On\nCFAOPTrustedCA "$root"\n}
         . qq{CFAOPRevocationFile "$file"\n</VirtualHost>\n};
}

# A CRL whose issuer is trusted nowhere, and one that carries root-ca's name
# without its signature: configtest fails, naming the directive's line and
# the file.
for my $bad (['unknown issuer', 'rev/unknown.crl.pem', qr/its issuer is neither a trusted anchor/],
             ['forged signature', 'rev/fake.crl.pem', qr/signature does not verify/]) {
    my ($what, $name, $why) = @$bad;
    my $file = pki($name);
    my $t = configtest(crl_conf($file));
    my $line = $t->{line} + 4;
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "CRL with $what: configtest fails");
    ok t_cmp($t->{output}, qr/CFAOP0007: CFAOPRevocationFile \(line $line of \Q$t->{conf}\E\): \Q$file\E: /,
             "CRL with $what: CFAOP0007 names the line and the file");
    ok t_cmp($t->{output}, $why, "CRL with $what: why");
    ok t_cmp($t->{output} =~ /Syntax OK/ ? 'Syntax OK' : 'no Syntax OK', 'no Syntax OK', "CRL with $what: no Syntax OK");
}

# Controls: the real CRL in PEM and in DER passes without a word.
for my $name ('rev/root.crl.pem', 'rev/root.crl.der') {
    my $t = configtest(crl_conf(pki($name)));
    ok t_cmp($t->{rc}, 0, "$name: configtest passes");
    ok t_cmp($t->{output}, qr/Syntax OK/, "$name: Syntax OK");
    ok t_cmp(join(',', $t->{output} =~ /(CFAOP\d+)/g), '', "$name: no CFAOP message");
}

# The stale CRL passes configtest with a warning that names it.
{
    my $t = configtest(crl_conf($stale));
    ok t_cmp($t->{rc}, 0, 'stale CRL: configtest passes');
    ok t_cmp($t->{output}, qr/Syntax OK/, 'stale CRL: Syntax OK');
    my $issuer = log_escape(cert_info(rev('root-ca'))->{subject});
    ok t_cmp($t->{output},
             qr/CFAOP0014: virtual host .*: \Q$stale\E: the CRL issued by "\Q$issuer\E" is past its nextUpdate \(Feb  1 00:00:00 2020 GMT\); it is still applied/,
             'stale CRL: CFAOP0014 names the file, the issuer and the date');
    ok t_cmp(join(',', $t->{output} =~ /(CFAOP\d+)/g), 'CFAOP0014', 'stale CRL: the only CFAOP message');
}
