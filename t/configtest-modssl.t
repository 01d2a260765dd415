# SPDX-License-Identifier: Apache-2.0
# mod_ssl's client-verification and revocation directives on a CFAOP vhost:
# revocation that would check nothing fails configtest (CFAOP0030), naming
# the directive, where it is written and CFAOPRevocationFile; leftover
# verification directives are named, all of them, in one warning (CFAOP0013).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $root = pki('root-ca.pem');
my $crl = pki('rev', 'root.crl.pem');
my $crldir = pki('rev');

# [what, mod_ssl lines, the directive the message must name (its line is the
#  first of the mod_ssl lines that starts with it), the rest of the message]
my @refused = (
    ['SSLCARevocationFile with check chain', ["SSLCARevocationFile \"$crl\"", 'SSLCARevocationCheck chain'],
     'SSLCARevocationFile', qr/with SSLCARevocationCheck chain \(/],
    ['SSLCARevocationPath with check leaf', ["SSLCARevocationPath \"$crldir\"", 'SSLCARevocationCheck leaf'],
     'SSLCARevocationPath', qr/with SSLCARevocationCheck leaf \(/],
    ['SSLCARevocationCheck chain alone', ['SSLCARevocationCheck chain no_crl_for_cert_ok'],
     'SSLCARevocationCheck', qr/has no effect/],
    ['SSLOCSPEnable on', ['SSLOCSPEnable on'], 'SSLOCSPEnable', qr/has no effect/],
    ['SSLOCSPEnable leaf', ['SSLOCSPEnable leaf'], 'SSLOCSPEnable', qr/has no effect/],
);
my @accepted = (
    ['SSLCARevocationCheck none', ["SSLCARevocationFile \"$crl\"", 'SSLCARevocationCheck none']],
    ['SSLOCSPEnable off', ['SSLOCSPEnable off']],
);

plan tests => 2 * (4 * @refused + 2 * @accepted) + 2 + 4 + 8 + 2 + 3;

sub vhost { CFAOPTest::cfaop_vhost(qq{CFAOPTrustedCA "$root"}, @_) }

for my $where ('vhost', 'main server') {
    for my $c (@refused) {
        my ($what, $lines, $name, $rest) = @$c;
        my $body = $where eq 'vhost' ? vhost(@$lines) : join('', map { "$_\n" } @$lines) . vhost();
        my $t = configtest($body);
        my ($index) = grep { $lines->[$_] =~ /^\Q$name\E\b/ } 0 .. $#$lines;
        my $line = $t->{line} + $index + ($where eq 'vhost' ? 4 : 0);
        ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "$what in the $where: configtest fails");
        ok t_cmp($t->{output}, qr/CFAOP0030: virtual host \S+:8443 \(\Q$t->{conf}\E:\d+\): \Q$name\E .*\(\Q$t->{conf}:$line\E\)/,
                 "$what in the $where: names the vhost, the directive and its file:line");
        ok t_cmp($t->{output}, qr/CFAOP0030: [^\n]*$rest/, "$what in the $where: says why");
        ok t_cmp($t->{output}, qr/CFAOP0030: [^\n]*Use CFAOPRevocationFile/, "$what in the $where: names CFAOPRevocationFile");
    }
    for my $c (@accepted) {
        my ($what, $lines) = @$c;
        my $body = $where eq 'vhost' ? vhost(@$lines) : join('', map { "$_\n" } @$lines) . vhost();
        my $t = configtest($body);
        ok t_cmp($t->{rc}, 0, "$what in the $where: configtest passes");
        ok t_cmp($t->{output}, qr/^(?!.*CFAOP0030)/s, "$what in the $where: no CFAOP0030");
    }
}

# A vhost without CFAOP keeps mod_ssl's revocation as it is.
{
    my $t = configtest(qq{<VirtualHost 127.0.0.1:8444>\nSSLEngine on\nSSLCARevocationFile "$crl"\n}
                     . qq{SSLCARevocationCheck chain\nSSLOCSPEnable on\n</VirtualHost>\n} . vhost());
    ok t_cmp($t->{rc}, 0, 'mod_ssl revocation on a vhost without CFAOP: configtest passes');
    ok t_cmp($t->{output}, qr/^(?!.*CFAOP0030)/s, 'mod_ssl revocation on a vhost without CFAOP: no CFAOP0030');
}

# Lines that httpd did not apply (a false <IfModule> or <IfDefine>) count
# for nothing; a true one is looked into. (httpd leaves false sections out
# of the configuration tree, and puts a true one's lines in it.)
{
    my $t = configtest(vhost('<IfDefine CFAOP_NOT_DEFINED>', 'SSLOCSPEnable on', '</IfDefine>',
                             '<IfModule !ssl_module>', 'SSLVerifyClient require', '</IfModule>'));
    ok t_cmp($t->{rc}, 0, 'revocation in a false <IfDefine>: configtest passes');
    ok t_cmp($t->{output}, qr/^(?!.*CFAOP00(30|13))/s, 'lines in false containers: no CFAOP0030 nor CFAOP0013');
    $t = configtest(vhost('<IfModule ssl_module>', 'SSLOCSPEnable on', '</IfModule>'));
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', 'revocation in a true <IfModule>: configtest fails');
    ok t_cmp($t->{output}, qr/CFAOP0030: .*SSLOCSPEnable on/, 'revocation in a true <IfModule>: CFAOP0030');
}

# CFAOP0013 names every leftover verification directive: the vhost's own
# and the main server's that the vhost does not override.
{
    my $t = configtest(qq{SSLVerifyDepth 3\nSSLCADNRequestFile "$root"\n}
                     . vhost('SSLVerifyClient require', qq{SSLCACertificateFile "$root"}, 'SSLVerifyDepth 2'));
    my ($conf, $l) = ($t->{conf}, $t->{line});
    ok t_cmp($t->{rc}, 0, 'leftover verification directives: configtest passes');
    my ($warn) = $t->{output} =~ /^(.*CFAOP0013: .*)$/m;
    ok t_cmp($warn, qr/CFAOP0013: virtual host \S+:8443 \(\Q$conf\E:\d+\): /, 'CFAOP0013 names the vhost with its port');
    ok t_cmp($warn, qr/SSLVerifyClient \(\Q$conf:${\ ($l + 6)}\E\)/, 'CFAOP0013 names SSLVerifyClient');
    ok t_cmp($warn, qr/SSLCACertificateFile \(\Q$conf:${\ ($l + 7)}\E\)/, 'CFAOP0013 names SSLCACertificateFile');
    ok t_cmp($warn, qr/SSLVerifyDepth \(\Q$conf:${\ ($l + 8)}\E\)/, "CFAOP0013 names the vhost's SSLVerifyDepth");
    ok t_cmp($warn, qr/SSLCADNRequestFile \(\Q$conf:${\ ($l + 1)}\E\)/, "CFAOP0013 names the main server's SSLCADNRequestFile");
    ok t_cmp($warn, qr/^(?!.*\Q$conf:$l\E\))/, "CFAOP0013 leaves out the main server's overridden SSLVerifyDepth");
    ok t_cmp($warn, qr/ are ignored for AOP/, 'CFAOP0013: several are ignored');
}

# The label shows the port the vhost listens on, also when its ServerName
# has none (httpd's own port for it is then 0), and '*' for any port.
{
    my $t = configtest("<VirtualHost 127.0.0.1:8443>\nServerName www.example.test\nSSLEngine on\nCFAOP On\n</VirtualHost>\n");
    ok t_cmp($t->{output}, qr/CFAOP0011: virtual host www\.example\.test:8443 \(/, 'label: the <VirtualHost> port when ServerName has none');
    $t = configtest("<VirtualHost 127.0.0.1>\nServerName any.example.test\nSSLEngine on\nCFAOP On\n</VirtualHost>\n");
    ok t_cmp($t->{output}, qr/CFAOP0011: virtual host any\.example\.test:\* \(/, "label: '*' for a vhost on any port");
}

# Without mod_ssl no handshake can be verified: the configuration is refused.
{
    my $t = CFAOPTest::configtest_without(['ssl'], qq{<VirtualHost 127.0.0.1:8443>\nCFAOP On\nCFAOPTrustedCA "$root"\n</VirtualHost>\n});
    ok t_cmp($t->{rc} ? 'refused' : 'passed', 'refused', 'no mod_ssl: configtest fails');
    ok t_cmp($t->{output}, qr/CFAOP0024: virtual host \S+:8443 \(.*\) has CFAOP On but mod_ssl is not loaded: .*refusing to start/,
             'no mod_ssl: CFAOP0024 says mod_ssl is not loaded');
    ok t_cmp($t->{output}, qr/^(?!.*not SSLEngine on)/s, 'no mod_ssl: not the SSLEngine message');
}
