# SPDX-License-Identifier: Apache-2.0
# CFAOPDenySerial and CFAOPDenySerialFile, end to end: a serial denied
# inline, or by a file in each form (bare hex, serial=, colon-separated lower
# case, 0x, leading zeros, dec:, openssl's "N (0xN)"), is refused with
# certificate_revoked (reason=denied-serial); a serial listed nowhere (or
# only in a comment) passes. Then the live case: a serial added to a deny
# file takes effect at the next graceful restart, for fresh handshakes and
# for sessions resumed from before it. A malformed list fails configtest
# with its line number. Every refused certificate is first shown to pass
# on rev_base (same anchor, no list).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Revocation;
use File::Copy ();

my @forms = qw(deny-bare deny-serialeq deny-colon deny-0x deny-zeros deny-dec deny-text);
my @controls = map { ['rev_base', $_, 'ok'] }
    'deny-inline-a', 'deny-inline-b', @forms, 'deny-ok', 'deny-live';
my @cases = (
    ['rev_deny_inline', 'deny-inline-a', 'denied-serial'],
    ['rev_deny_inline', 'deny-inline-b', 'denied-serial'],
    ['rev_deny_inline', 'deny-ok', 'ok'],
    (map { ['rev_deny_file', $_, 'denied-serial'] } @forms),
    # its serial is in deny-bare.txt, commented out
    ['rev_deny_file', 'deny-ok', 'ok'],
    ['rev_deny_file', 'deny-inline-a', 'ok'],
);
my @tls12 = (['rev_deny_inline', 'deny-inline-a', 'denied-serial'],
             ['rev_deny_inline', 'deny-ok', 'ok'],
             ['rev_deny_file', 'deny-dec', 'denied-serial']);

my @bad_files = (
    # [file, line of the bad serial, the text quoted]
    ['deny-bad5.txt', 5, '5EC0DE0000000000000000000000G013'],
    ['deny-bad3.txt', 3, 'dec:5EC0'],
);
# non-hex, non-decimal after dec:, nothing after 0x, openssl's text form
# whose two numbers differ, 21 octets
my @bad_inline = ('5e:c0:xy', 'dec:5EC0', '0x', '1589698071 (0x5ec0de18)', '1' . '0' x 40);

my $n = 0;
$n += $_->[2] eq 'ok' ? ACCEPTED_TESTS : REFUSED_TESTS for @controls, @cases, @tls12;
plan tests => $n
    + 2 * (2 + REFUSED_TESTS)                                   # before the change
    + 1 + 2 * 4 + 2 * REFUSED_TESTS + 1 + 2 * ACCEPTED_TESTS    # after it, and back
    + 3 * @bad_files + 3 + 3 * @bad_inline + 2;

sub run_case {
    my ($tls, $vhost, $cert, $want) = @_;
    my %a = (vhost => $vhost, cert => $cert, tls => $tls);
    return accepted_ok(%a) if $want eq 'ok';
    return refused_ok(%a, reason => $want, alert => 'certificate_revoked');
}

run_case('1.3', @$_) for @controls, @cases;
run_case('1.2', @$_) for @tls12;

# ---- a graceful restart after adding a serial ----------------------------
my $list = pki('rev/deny-live.txt');
my $orig = pki('rev/deny-live.orig');
my $live = cert_info(rev('deny-live'));
my $changed = 0;
END {
    if ($changed) {
        File::Copy::copy($orig, $list);
        eval { httpd_signal_restart() };
    }
}

sub summary {
    my $r = shift;
    return join ' ', $r->{reused} ? 'resumed' : 'new', outcome($r);
}

# Sessions made while the list does not name deny-live. A TLS 1.3 ticket
# is good for one resumption, and the vhost sends one a full handshake (and,
# with SSLSessionTicketKeyFile, none on resumption), so the control that a
# session resumes before the change uses a session of its own. deny-inline-a,
# on the list from the start, is refused.
my %ctx = map { $_ => client_context(cert => rev('deny-live'), tls => $_) } '1.3', '1.2';
for my $tls ('1.3', '1.2') {
    ok t_cmp(summary(tls_request(vhost => 'rev_deny_live', ctx => $ctx{$tls})),
             "new 200 SUCCESS $live->{serial}", "TLS $tls: deny-live: first connection");
    my $control = client_context(cert => rev('deny-live'), tls => $tls);
    tls_request(vhost => 'rev_deny_live', ctx => $control, session_key => 'control');
    ok t_cmp(summary(tls_request(vhost => 'rev_deny_live', ctx => $control, session_key => 'control')),
             "resumed 200 SUCCESS $live->{serial}", "TLS $tls: deny-live: a session resumes before the change");
    refused_ok(vhost => 'rev_deny_live', cert => 'deny-inline-a', tls => $tls,
               reason => 'denied-serial', alert => 'certificate_revoked');
}

# Sessions on a vhost whose policy stays: whether this httpd carries any
# session across a restart at all (docs/compat.md).
my %carry = map { $_ => client_context(cert => 'good', tls => $_) } '1.3', '1.2';
tls_request(vhost => 'cfaop_ticket_control', ctx => $carry{$_}) for '1.3', '1.2';

$changed = 1;
open my $fh, '>>', $list or die "$list: $!";
print $fh "$live->{serial}   # added by t/revocation-deny.t\n";
close $fh or die "$list: $!";
httpd_signal_restart();
ok wait_for('rev_deny_live', 'deny-live', 'refused'), 1,
   'after adding the serial and a graceful restart, fresh handshakes with deny-live are refused';

for my $tls ('1.3', '1.2') {
    if (!tls_request(vhost => 'cfaop_ticket_control', ctx => $carry{$tls})->{reused}) {
        skip "TLS $tls: this httpd resumes no session across a graceful restart (see docs/compat.md)" for 1 .. 4;
        next;
    }
    # The session from before the change is declined when offered; the full
    # handshake that follows refuses the now denied certificate.
    my $mark = log_mark();
    my $r = tls_request(vhost => 'rev_deny_live', ctx => $ctx{$tls});
    ok t_cmp($r->{reused} ? 'resumed' : 'new', 'new', "TLS $tls: the session from before is declined");
    ok t_cmp(($r->{status} // 'no-response') . ' ' . ($r->{alert} // 'none'), 'no-response certificate_revoked',
             "TLS $tls: the full handshake refuses the denied certificate");
    my $line = log_wait($mark, qr/CFAOP0104: resumption declined, full handshake follows: reason=denied-serial .*serial="\Q$live->{serial}\E"/);
    ok t_cmp($line // 'no such line', qr/CFAOP0104/, "TLS $tls: CFAOP0104 reason=denied-serial");
    log_wait($mark, qr/CFAOP0101/);
    my @verdicts = log_since($mark) =~ /(CFAOP010[1-4]):/g;
    ok t_cmp(join(',', @verdicts), 'CFAOP0104,CFAOP0101', "TLS $tls: the declined session, then the refused handshake");
}
for my $tls ('1.3', '1.2') {
    refused_ok(vhost => 'rev_deny_live', cert => 'deny-live', tls => $tls,
               reason => 'denied-serial', alert => 'certificate_revoked');
}

File::Copy::copy($orig, $list) or die "copy $orig: $!";
httpd_signal_restart();
$changed = 0;
ok wait_for('rev_deny_live', 'deny-live', 'accepted'), 1, 'with the list restored, deny-live passes again';
accepted_ok(vhost => 'rev_deny_live', cert => 'deny-live', tls => $_) for '1.3', '1.2';

# ---- httpd -t ------------------------------------------------------------------
my $root = pki('rev/root-ca.pem');
sub deny_conf {
    my $directive = shift;
    return qq{<VirtualHost 127.0.0.1:8443>\nSSLEngine on\nCFAOP On\nCFAOPTrustedCA "$root"\n}
         . "$directive\n</VirtualHost>\n";
}

for my $bad (@bad_files) {
    my ($name, $lineno, $text) = @$bad;
    my $file = pki("rev/$name");
    my $t = configtest(deny_conf(qq{CFAOPDenySerialFile "$file"}));
    my $line = $t->{line} + 4;
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "$name: configtest fails");
    ok t_cmp($t->{output}, qr/Syntax error on line $line of \Q$t->{conf}\E:/, "$name: names the directive's line");
    ok t_cmp($t->{output}, qr/CFAOP0006: CFAOPDenySerialFile: line $lineno of \Q$file\E: '\Q$text\E' is not a serial number/,
             "$name: CFAOP0006 names line $lineno of the file");
}
{
    # The control: the same lines without the bad one.
    my $t = configtest(deny_conf('CFAOPDenySerialFile "' . pki('rev/deny-good.txt') . '"'));
    ok t_cmp($t->{rc}, 0, 'deny-good.txt: configtest passes');
    ok t_cmp($t->{output}, qr/Syntax OK/, 'deny-good.txt: Syntax OK');
    ok t_cmp(join(',', $t->{output} =~ /(CFAOP\d+)/g), '', 'deny-good.txt: no CFAOP message');
}

for my $arg (@bad_inline) {
    my $t = configtest(deny_conf(qq{CFAOPDenySerial 5EC0 "$arg"}));
    my $line = $t->{line} + 4;
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "CFAOPDenySerial '$arg': configtest fails");
    ok t_cmp($t->{output}, qr/Syntax error on line $line of \Q$t->{conf}\E:/, "CFAOPDenySerial '$arg': names the line");
    ok t_cmp($t->{output}, qr/CFAOP0001: CFAOPDenySerial: '\Q$arg\E' is not a serial number: /,
             "CFAOPDenySerial '$arg': CFAOP0001");
}
{
    # The control: every accepted form inline.
    my $t = configtest(deny_conf('CFAOPDenySerial 5EC0DE17 serial=5ec0de17 5e:c0:de:17 0x5EC0DE17 '
                                 . '00005ec0de17 dec:1589698071 "1589698071 (0x5ec0de17)"'));
    ok t_cmp($t->{rc}, 0, 'every serial form inline: configtest passes');
    ok t_cmp($t->{output}, qr/Syntax OK/, 'every serial form inline: Syntax OK');
}
