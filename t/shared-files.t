# SPDX-License-Identifier: Apache-2.0
# Files shared between vhosts (CRL, deny and hostname-map files, read once
# a configuration pass): sharing never makes a vhost accept what it would
# refuse on its own. configtest: a CRL its anchors do not accept fails the
# vhost exactly as before (other CA, same name with another key, one of two
# issuers, inherited from the main server). Served (two more httpd, as
# CFAOPTest::Servers starts them): the main server's deny file and CRL with
# a vhost's own serials added; one deny file by six spellings; one CRL of
# two issuers and one map named by vhosts of other anchors; a graceful
# restart after the deny file and the CRL changed; a removed file fails
# configtest. Memory: the main server's inline serials are not copied into
# each vhost that adds its own. The material is t/pki.d/revocation.sh's (pki/rev).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Revocation qw(rev outcome);
use CFAOPTest::Servers qw(free_port start_httpd stop_server);
use File::Copy ();
use File::Temp ();
use Time::HiRes ();

my $rev = pki('rev');
my %serial = map { $_ => cert_info(rev($_))->{serial} }
    qw(deny-serialeq deny-inline-a deny-inline-b crl-revoked crl-ok other-revoked other-ok deny-ok);
my $tmp = File::Temp::tempdir('shared.XXXXXX', DIR => Apache::Test::vars('t_logs'), CLEANUP => 1);

# ---- configtest: a CRL the vhost's anchors do not accept ------------------

# [what, the two vhosts' CA files (the first names the CRL first), CRL, the
#  error expected for the second vhost]
my @crl_cases = (
    ['the other vhost trusts another CA', 'root-ca', 'other-ca', 'root.crl.pem',
     qr/its issuer is neither a trusted anchor/],
    ['the other vhost trusts a CA of the same name and another key', 'root-ca', 'fake-root-ca',
     'root.crl.pem', qr/its signature does not verify/],
    ['one of the two issuers of the file is not trusted by the other vhost', 'root-ca other-ca',
     'root-ca', 'two.crl.pem', qr/CRL #2, issued by .*its issuer is neither a trusted anchor/],
);
my @served = (
    # main server: CA file list, its deny file, its CRL; the vhost adds a serial
    [main => 'crl-revoked', 'refused'], [main => 'deny-serialeq', 'refused'],
    [main => 'deny-inline-a', 'accepted'], [main => 'crl-ok', 'accepted'],
    [main => 'deny-inline-b', 'refused'],
    [inherit => 'crl-revoked', 'refused'], [inherit => 'deny-serialeq', 'refused'],
    [inherit => 'deny-inline-a', 'refused'], [inherit => 'crl-ok', 'accepted'],
    [inherit => 'deny-inline-b', 'refused'],
    (map { ([$_ => 'deny-serialeq', 'refused'], [$_ => 'crl-ok', 'accepted']) }
         qw(plain dot dotdot slashes link relative)),
    (map { ([$_ => 'crl-revoked', 'refused'], [$_ => 'other-revoked', 'refused', 'other.shared.test'],
            [$_ => 'other-ok', 'accepted', 'other.shared.test'], [$_ => 'crl-ok', 'accepted']) }
         qw(two_a two_b)),
    [swap => 'crl-revoked', 'refused'], [swap => 'other-revoked', 'accepted'],
    [live => 'deny-serialeq', 'refused'], [live => 'deny-inline-a', 'accepted'],
);
my @after = (
    [swap => 'crl-revoked', 'accepted'], [swap => 'other-revoked', 'refused'],
    [live => 'deny-serialeq', 'accepted'], [live => 'deny-inline-a', 'refused'],
);
my $time = '/usr/bin/time';
plan tests => 2 * @crl_cases + 2 + 2 * @served + 1 + 2 * @after + 3 + 1;

sub vhost {
    my ($name, @lines) = @_;
    return join '', map { "$_\n" } '<VirtualHost 127.0.0.1:8443>', "ServerName $name",
        'SSLEngine on', 'CFAOP On', @lines, '</VirtualHost>';
}

sub trusted { join '', map { qq{CFAOPTrustedCA "$rev/$_.pem"\n} } split ' ', $_[0] }

for my $c (@crl_cases) {
    my ($what, $first, $second, $crl, $why) = @$c;
    # The vhost that fails, alone: the message it had before any sharing.
    my $alone = configtest(vhost('b.test', trusted($second), qq{CFAOPRevocationFile "$rev/$crl"}));
    my $shared = configtest(vhost('a.test', trusted($first), qq{CFAOPRevocationFile "$rev/$crl"})
                            . vhost('b.test', trusted($second), qq{CFAOPRevocationFile "$rev/$crl"}));
    (my $msg_alone) = $alone->{output} =~ /(CFAOP0007: .*)/;
    (my $msg_shared) = $shared->{output} =~ /(CFAOP0007: .*)/;
    # The line numbers differ: the vhost is elsewhere in each file.
    s/line \d+ of [^)]+/line N/ for grep defined, $msg_alone, $msg_shared;
    ok t_cmp($shared->{rc} != 0 && ($msg_shared // '') =~ $why ? 'fails' : "rc=$shared->{rc} $shared->{output}",
             'fails', "$what: configtest fails on the second vhost");
    ok t_cmp($msg_shared // 'none', $msg_alone // 'no message alone', "$what: the message of the vhost alone");
}

# The main server's CRL, inherited by a vhost that trusts another CA.
{
    my $t = configtest(qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem"\n}
                       . qq{CFAOPRevocationFile "$rev/root.crl.pem"\n}
                       . vhost('b.test', qq{CFAOPTrustedCA "$rev/other-ca.pem"}));
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails',
             "the main server's CRL inherited by a vhost trusting another CA: configtest fails");
    # the main server's line names no vhost: the message says which one
    my $line = $t->{line} + 2;
    ok t_cmp($t->{output}, qr/CFAOP0007: CFAOPRevocationFile \(line $line of \Q$t->{conf}\E, in the main server, inherited by virtual host b\.test:8443 \(\Q$t->{conf}\E:\d+\)\): \Q$rev\E\/root\.crl\.pem: the CRL issued by .*its issuer is neither/,
             '... CFAOP0007 names the main server\'s line and the vhost that inherits it');
}

# ---- served ----------------------------------------------------------------

my $server_pem = pki('server.pem');
my $server_key = pki('server.key');
# env.shtml prints the variables (t/fleet.t does the same)
my $docroot = Apache::Test::vars('documentroot');
my $includes = qq{<Directory "$docroot">\nOptions +Includes\nAddType text/plain .shtml\n}
    . qq{AddOutputFilter INCLUDES .shtml\n</Directory>\n};
my %port;

sub listen_vhost {
    my ($name, @lines) = @_;
    my $p = $port{$name} = free_port();
    # tls_request finds a vhost's port by its name
    CFAOPTest::config()->{vhosts}{"shared_$name"} = { port => $p };
    return join '', map { "$_\n" } "Listen 127.0.0.1:$p", "<VirtualHost 127.0.0.1:$p>",
        "ServerName $name.shared.test", 'SSLEngine on', @lines, '</VirtualHost>';
}

# Server 1: the main server names a deny file and a CRL; the vhost inherits
# both and adds a serial of its own.
my $main_port = free_port();
CFAOPTest::config()->{vhosts}{shared_main} = { port => $main_port };
my $one = start_httpd(port => $main_port, body => join '', $includes,
    qq{SSLEngine on\nSSLCertificateFile "$server_pem"\nSSLCertificateKeyFile "$server_key"\n},
    qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem"\nCFAOPDenySerialFile "$rev/deny-serialeq.txt"\n},
    qq{CFAOPRevocationFile "$rev/root.crl.pem"\nCFAOPDenySerial $serial{'deny-inline-b'}\n},
    listen_vhost('inherit', "CFAOPDenySerial $serial{'deny-inline-a'}"));

# Server 2: one deny file by six spellings; one CRL of two issuers and one
# map named by vhosts whose anchors differ; a CRL and a deny file that
# change at the next graceful restart.
symlink "$rev/deny-serialeq.txt", "$tmp/link.txt" or die "symlink: $!\n";
my $map = CFAOPTest::write_text($tmp, 'map.txt', "other.shared.test $rev/other-ca.pem\n");
File::Copy::copy("$rev/root.crl.pem", "$tmp/live.crl.pem") or die "copy: $!\n";
File::Copy::copy("$rev/deny-serialeq.txt", "$tmp/live.txt") or die "copy: $!\n";
(my $rev_up = $rev) =~ s{/([^/]+)$}{/$1/../$1};
my $anchor = qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem"};
my $body2 = join '', $includes,
    qq{SSLCertificateFile "$server_pem"\nSSLCertificateKeyFile "$server_key"\n},
    listen_vhost('plain', $anchor, qq{CFAOPDenySerialFile "$rev/deny-serialeq.txt"}),
    listen_vhost('dot', $anchor, qq{CFAOPDenySerialFile "$rev/./deny-serialeq.txt"}),
    listen_vhost('dotdot', $anchor, qq{CFAOPDenySerialFile "$rev_up/deny-serialeq.txt"}),
    listen_vhost('slashes', $anchor, qq{CFAOPDenySerialFile "$rev//deny-serialeq.txt"}),
    listen_vhost('link', $anchor, qq{CFAOPDenySerialFile "$tmp/link.txt"}),
    # relative to ServerRoot, t/logs/srv.XXXXXX (CFAOPTest::Servers::workdir)
    listen_vhost('relative', $anchor, qq{CFAOPDenySerialFile "../../pki/rev/deny-serialeq.txt"}),
    # two.crl.pem: root-ca's and other-ca's CRLs; other-ca trusted by the map only
    listen_vhost('two_a', $anchor, qq{CFAOPHostnameMap "$map"}, qq{CFAOPRevocationFile "$rev/two.crl.pem"}),
    listen_vhost('two_b', qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem" "$rev/unknown-ca.pem"},
                 qq{CFAOPHostnameMap "$map"}, qq{CFAOPRevocationFile "$rev/two.crl.pem"}),
    listen_vhost('swap', qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem" "$rev/other-ca.pem"},
                 qq{CFAOPRevocationFile "$tmp/live.crl.pem"}),
    listen_vhost('live', qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem"},
                 qq{CFAOPDenySerialFile "$tmp/live.txt"});
my $two_port = free_port();
my $two = start_httpd(port => $two_port, body => $body2);

# "accepted" or "refused (alert)", with what the server said when accepted
sub verdict {
    my ($vhost, $cert, $sni) = @_;
    my $r = tls_request(vhost => "shared_$vhost", cert => rev($cert), defined $sni ? (sni => $sni) : ());
    return outcome($r) eq "200 SUCCESS $serial{$cert}" ? 'accepted'
         : !defined $r->{status} ? 'refused (' . ($r->{alert} // 'no alert') . ')'
         : 'served: ' . outcome($r);
}

sub check {
    my ($when, $vhost, $cert, $want, $sni) = @_;
    my $got = verdict($vhost, $cert, $sni);
    my $what = "$when: $cert on $vhost" . ($sni ? " (SNI $sni)" : '');
    if ($want eq 'accepted') {
        ok t_cmp($got, 'accepted', "$what: accepted");
        ok t_cmp(tls_request(vhost => "shared_$vhost", cert => rev($cert), defined $sni ? (sni => $sni) : ())
                     ->{env}{CF_AOP_CERT_SERIAL} // '-', $serial{$cert}, "$what: its serial exported");
    }
    else {
        ok t_cmp($got, qr/^refused /, "$what: refused");
        ok t_cmp($got, 'refused (certificate_revoked)', "$what: certificate_revoked");
    }
}

check('start', @$_) for @served;

# ---- a graceful restart after the files changed ----------------------------

sub graceful {
    my $srv = shift;
    my $from = -s $srv->{error_log} || 0;
    kill 'USR1', $srv->{pid} or die "kill USR1: $!\n";
    my $until = Time::HiRes::time() + 20;
    while (Time::HiRes::time() < $until) {
        open my $fh, '<', $srv->{error_log} or die "$srv->{error_log}: $!\n";
        seek $fh, $from, 0;
        local $/;
        my $new = <$fh> // '';
        return 1 if $new =~ /AH00489: .*resuming normal operations/;
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

# Written then moved over the old files, as a CRL fetcher does.
File::Copy::copy("$rev/other.crl.pem", "$tmp/new.crl.pem") or die "copy: $!\n";
rename "$tmp/new.crl.pem", "$tmp/live.crl.pem" or die "rename: $!\n";
CFAOPTest::write_text($tmp, 'new.txt', "$serial{'deny-inline-a'}\n");
rename "$tmp/new.txt", "$tmp/live.txt" or die "rename: $!\n";
ok graceful($two), 1, 'server 2 restarts gracefully with the new files';
# old children may finish their connections meanwhile
Time::HiRes::sleep(0.5);
check('after a graceful restart', @$_) for @after;

# A removed file: configtest (what apachectl graceful runs first) fails,
# naming it, and the running server keeps its generation.
unlink "$tmp/live.txt" or die "unlink: $!\n";
my $httpd = Apache::Test::vars('httpd');
my $out = qx{'$httpd' -t -d '$two->{dir}' -f '$two->{dir}/httpd.conf' 2>&1};
ok t_cmp(($? >> 8) . " $out", qr/^[1-9]\d* .*CFAOP0006: .*live\.txt/s,
         'the deny file removed: configtest fails with CFAOP0006');
# httpd -k graceful runs the module's checks before it signals the server
$out = qx{'$httpd' -d '$two->{dir}' -f '$two->{dir}/httpd.conf' -k graceful 2>&1};
ok t_cmp(($? >> 8) . " $out", qr/^[1-9]\d* .*CFAOP0006: .*live\.txt/s,
         'httpd -k graceful refuses, with CFAOP0006');
Time::HiRes::sleep(0.5);
ok t_cmp(verdict('live', 'deny-inline-a'), 'refused (certificate_revoked)',
         '... and the running server still refuses with the list it loaded');

stop_server($_->{pid}) for $one, $two;

# ---- memory: the main server's own serials, in vhosts that add theirs -----

# configtest's peak RSS: the main server with 50,000 CFAOPDenySerial lines
# (an Include), VHOSTS vhosts inheriting them, with or without one serial
# of their own each. A vhost of its own serials once held a copy of the
# main server's (about 1.8 MiB here); now it refers to them.
SKIP: {
    skip "$time is not installed", 1 unless -x $time;
    my $inline = CFAOPTest::write_text($tmp, 'inline.conf', join '',
        map { sprintf "CFAOPDenySerial 0x5EC0%08X%08X\n", $_, $_ * 7 } 1 .. 50_000);
    my $vhosts = 40;
    my $peak = sub {
        my $own = shift;
        my $t = configtest(qq{CFAOP On\nCFAOPTrustedCA "$rev/root-ca.pem"\nInclude "$inline"\n}
                           . join '', map { vhost("v$_.shared.test", $own ? sprintf('CFAOPDenySerial 0x%X', $_) : ()) }
                                          1 .. $vhosts);
        die "configtest failed: $t->{output}" if $t->{rc} != 0;
        my $httpd = Apache::Test::vars('httpd');
        my $out = qx{'$time' -f 'maxrss=%M' '$httpd' -t -f '$t->{conf}' 2>&1};
        my ($kib) = $out =~ /maxrss=(\d+)/ or die "no maxrss in: $out";
        return $kib;
    };
    my $extra = $peak->(1) - $peak->(0);
    ok t_cmp($extra < 8192 ? 'no copies' : "$extra KiB", 'no copies',
             "$vhosts vhosts adding a serial to the main server's 50,000 hold no copy of them ($extra KiB)");
}
