# SPDX-License-Identifier: Apache-2.0
# `httpd -t` on small configurations: what fails configtest (naming the
# directive, the file and the line), and what only warns.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $missing = pki('no-such-ca.pem');
my ($empty, $garbage, $notca, $nocertsign) =
    map { pki($_) } qw(empty.pem garbage.pem notca.pem nocertsign-ca.pem);
my @errors = (
    # [what, directive line, message (regexp): id, directive and file]
    ['missing CA file', qq{CFAOPTrustedCA "$missing"},
     qr/CFAOP0002: CFAOPTrustedCA: .*\Q$missing\E/],
    ['empty CA file', qq{CFAOPTrustedCA "$empty"},
     qr/CFAOP0002: CFAOPTrustedCA: .*\Q$empty\E.*no certificate found/],
    ['CA file with no certificate', qq{CFAOPTrustedCA "$garbage"},
     qr/CFAOP0002: CFAOPTrustedCA: .*\Q$garbage\E.*no certificate found/],
    ['CA without CA:TRUE', qq{CFAOPTrustedCA "$notca"},
     qr/CFAOP0002: CFAOPTrustedCA: .*\Q$notca\E.*not a CA \(basicConstraints CA:TRUE is missing\)/],
    ['CA whose keyUsage lacks keyCertSign', qq{CFAOPTrustedCA "$nocertsign"},
     qr/CFAOP0002: CFAOPTrustedCA: .*\Q$nocertsign\E: certificate may not sign certificates \(keyUsage lacks keyCertSign\): CN=AOP Test CRL-only CA/],
    ['bad CFAOP value', 'CFAOP Maybe', qr/CFAOP0001: CFAOP: .*On.*Off.*ReportOnly/],
    ['CFAOPVerifyDepth 0', 'CFAOPVerifyDepth 0', qr/CFAOP0001: CFAOPVerifyDepth: .*'0'/],
    ['CFAOPVerifyDepth 17', 'CFAOPVerifyDepth 17', qr/CFAOP0001: CFAOPVerifyDepth: .*'17'/],
    ['CFAOPVerifyDepth two', 'CFAOPVerifyDepth two', qr/CFAOP0001: CFAOPVerifyDepth: .*'two'/],
    ['bad CFAOPHostCheck value', 'CFAOPHostCheck Sometimes', qr/CFAOP0001: CFAOPHostCheck: /],
);

my $root = pki('root-ca.pem');
my @warnings = (
    # [what, vhost body, expected warning (regexp)]
    ['only the cloudflare CA', "SSLEngine on\nCFAOP On",
     qr/CFAOP0011: virtual host \S+ \(.*:\d+\) trusts only the shared Cloudflare origin-pull CA/],
    ['explicit cloudflare only', "SSLEngine on\nCFAOP ReportOnly\nCFAOPTrustedCA cloudflare",
     qr/CFAOP0011: virtual host .* trusts only the shared Cloudflare origin-pull CA/],
    ['CFAOP On without SSLEngine', qq{CFAOP On\nCFAOPTrustedCA "$root"},
     qr/CFAOP0010: virtual host \S+ \(.*:\d+\) has CFAOP On but not SSLEngine on/],
    ['SSLVerifyClient on a CFAOP vhost', qq{SSLEngine on\nSSLVerifyClient require\nCFAOP On\nCFAOPTrustedCA "$root"},
     qr/CFAOP0013: virtual host .*: SSLVerifyClient \(.*:\d+\) is ignored for AOP/],
    ['CA expiring within 30 days', 'SSLEngine on' . "\nCFAOP On\n" . 'CFAOPTrustedCA "' . pki('expiring-ca.pem') . '"',
     qr/CFAOP0012: CFAOPTrustedCA \Q${\ pki('expiring-ca.pem')}\E: certificate expires within 30 days/],
    ['expired CA', 'SSLEngine on' . "\nCFAOP On\n" . 'CFAOPTrustedCA "' . pki('expired-ca.pem') . '"',
     qr/CFAOP0012: CFAOPTrustedCA \Q${\ pki('expired-ca.pem')}\E: certificate has expired/],
);

plan tests => 3 * @errors + 3 * @warnings + 3;

for my $e (@errors) {
    my ($what, $directive, $re) = @$e;
    # The directive sits on the second line of a <VirtualHost>.
    my $t = configtest("<VirtualHost 127.0.0.1:8443>\n$directive\n</VirtualHost>\n");
    my $line = $t->{line} + 1;
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "$what: configtest fails");
    ok t_cmp($t->{output}, qr/Syntax error on line $line of \Q$t->{conf}\E:/, "$what: names the file and line");
    ok t_cmp($t->{output}, $re, "$what: message");
}

for my $w (@warnings) {
    my ($what, $body, $re) = @$w;
    my $t = configtest("<VirtualHost 127.0.0.1:8443>\n$body\n</VirtualHost>\n");
    ok t_cmp($t->{rc}, 0, "$what: configtest passes");
    ok t_cmp($t->{output}, qr/Syntax OK/, "$what: Syntax OK");
    ok t_cmp($t->{output}, $re, "$what: warning");
}

# A sound configuration draws no CFAOP warning at all, and CFAOP* directives
# on a vhost without CFAOP are not looked at.
my $t = configtest(qq{<VirtualHost 127.0.0.1:8443>\nSSLEngine on\nCFAOP On\nCFAOPTrustedCA "$root"\n</VirtualHost>\n}
                 . qq{<VirtualHost 127.0.0.1:8444>\nSSLEngine on\nSSLVerifyClient require\nCFAOPTrustedCA "}
                 . pki('expiring-ca.pem') . qq{"\n</VirtualHost>\n});
ok t_cmp($t->{rc}, 0, 'sound configuration: configtest passes');
ok t_cmp($t->{output}, qr/Syntax OK/, 'sound configuration: Syntax OK');
ok t_cmp(join(',', $t->{output} =~ /(CFAOP\d+)/g), '', 'sound configuration: no CFAOP message');
