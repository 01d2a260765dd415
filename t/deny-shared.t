# SPDX-License-Identifier: Apache-2.0
# One CFAOPDenySerialFile named by several vhosts is loaded once and shared:
# each vhost naming it refuses its serials (certificate_revoked,
# reason=denied-serial), a vhost's own CFAOPDenySerial stays its own, the
# file has one CFAOP0031 notice per start, and the memory of a
# configuration grows by one copy of the list however many vhosts name it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Revocation;
use File::Temp ();

# [vhost, certificate, expected]: the shared file's serial in both vhosts,
# rev_shared_b's own inline serial in it alone
my @cases = ((map { [$_, 'deny-serialeq', 'denied-serial'] } qw(rev_shared_a rev_shared_b)),
             ['rev_shared_b', 'deny-inline-a', 'denied-serial'],
             (map { ['rev_shared_a', $_, 'ok'] } qw(deny-inline-a deny-ok)));
my $time = '/usr/bin/time';

my $n = 0;
$n += $_->[2] eq 'ok' ? ACCEPTED_TESTS : REFUSED_TESTS for @cases;
plan tests => $n + 1 + 2;

for my $c (@cases) {
    my ($vhost, $cert, $want) = @$c;
    if ($want eq 'ok') {
        accepted_ok(vhost => $vhost, cert => $cert);
    }
    else {
        refused_ok(vhost => $vhost, cert => $cert, reason => $want, alert => 'certificate_revoked');
    }
}

# The server's starts so far: the shared file's notice once each.
{
    my $log = do { local $/; open my $fh, '<', CFAOPTest::error_log() or die "error_log: $!\n"; <$fh> };
    my $starts = () = $log =~ /AH\d+: .* configured -- resuming normal operations/g;
    my $file = pki('rev', 'deny-serialeq.txt');
    my $notices = () = $log =~ /CFAOP0031: CFAOPDenySerialFile \Q$file\E: /g;
    ok t_cmp($notices, $starts, 'a deny file named by three vhosts: one CFAOP0031 notice per start');
}

# Memory: configtest's peak RSS with one vhost naming a 200,000-serial file
# and with VHOSTS naming it. Unshared, each vhost holds a copy (about 6 MiB);
# shared, the extra vhosts cost less than one copy between them.
# (Apache::Test's skip is Test.pm's: it does not leave a block.)
if (!-x $time) {
    skip "$time is not installed (make deps installs it)" for 1 .. 2;
}
else {
    my $dir = File::Temp::tempdir('shared.XXXXXX', DIR => Apache::Test::vars('t_logs'), CLEANUP => 1);
    my $list = join '', map { sprintf "%08X%08X%08X%08X%08X\n", 0x10000000 + $_, $_, $_ * 7, $_ * 13, $_ } 1 .. 200_000;
    my $deny = CFAOPTest::write_text($dir, 'deny.txt', $list);
    my $root = pki('root-ca.pem');
    my $vhosts = 20;
    my $body = sub {
        my ($count, $with_file) = @_;
        return join '', map {
            "<VirtualHost 127.0.0.1:8443>\nServerName v$_.shared.test\nSSLEngine on\nCFAOP On\n"
            . qq{CFAOPTrustedCA "$root"\n} . ($with_file ? qq{CFAOPDenySerialFile "$deny"\n} : '')
            . "</VirtualHost>\n"
        } 1 .. $count;
    };
    my $peak = sub {
        my $t = configtest($body->(@_));
        die "configtest failed: $t->{output}" if $t->{rc} != 0;
        my $httpd = Apache::Test::vars('httpd');
        my $out = qx{'$time' -f 'maxrss=%M' '$httpd' -t -f '$t->{conf}' 2>&1};
        my ($kib) = $out =~ /maxrss=(\d+)/ or die "no maxrss in: $out";
        return $kib;
    };
    my $none = $peak->($vhosts, 0);
    my $one = $peak->(1, 1) - $peak->(1, 0);
    my $many = $peak->($vhosts, 1) - $none;
    ok t_cmp($one > 2048 ? 'a copy' : "$one KiB", 'a copy', "one vhost: the list takes memory ($one KiB)");
    ok t_cmp($many < 2 * $one ? 'one copy' : "$many KiB for $vhosts vhosts, $one KiB for one",
             'one copy', "$vhosts vhosts naming one deny file hold one copy ($many KiB, $one KiB for one)");
}
