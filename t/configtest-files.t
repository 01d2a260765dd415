# SPDX-License-Identifier: Apache-2.0
# Files read at configuration time: a FIFO or other non-regular file is a
# configtest error at once (it used to hang configtest); every file read is
# reported with what it loaded (CFAOP0031); a UTF-8 byte order mark at the
# start of a list or map file is not content.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use File::Temp ();
use POSIX ();
use Time::HiRes ();
use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $root = pki('root-ca.pem');
my $crl = pki('rev', 'root.crl.pem');
my $revroot = pki('rev', 'root-ca.pem');
my $dir = File::Temp::tempdir('files.XXXXXX', DIR => Apache::Test::vars('t_logs'), CLEANUP => 1);
my $fifo = "$dir/list.fifo";
POSIX::mkfifo($fifo, 0600) or die "mkfifo $fifo: $!\n";

sub write_file { CFAOPTest::write_text($dir, @_) }

sub vhost { CFAOPTest::cfaop_vhost(@_) }

# [directive, vhost lines, the message's id]
my @fifo = (
    ['CFAOPDenySerialFile', [qq{CFAOPTrustedCA "$root"}, qq{CFAOPDenySerialFile "$fifo"}], 'CFAOP0006'],
    ['CFAOPHostnameMap', [qq{CFAOPTrustedCA "$root"}, qq{CFAOPHostnameMap "$fifo"}], 'CFAOP0004'],
    ['CFAOPTrustedCA', [qq{CFAOPTrustedCA "$fifo"}], 'CFAOP0002'],
    ['CFAOPHostnameCA', [qq{CFAOPTrustedCA "$root"}, qq{CFAOPHostnameCA a.example.test "$fifo"}], 'CFAOP0004'],
    ['CFAOPClientCA', [qq{CFAOPTrustedCA "$root"}, qq{CFAOPClientCA "$fifo"}], 'CFAOP0002'],
    ['CFAOPRevocationFile', [qq{CFAOPTrustedCA "$root"}, qq{CFAOPRevocationFile "$fifo"}], 'CFAOP0007'],
);

my $deny = write_file('deny.txt', "\xef\xbb\xbf# deny list\n0A\nserial=0B\ndec:12\n");
my $map = write_file('hostnames.map', "\xef\xbb\xbfa.example.test $root\n# x\nb.example.test $root\n");

plan tests => 3 * @fifo + 2 + 5;

for my $c (@fifo) {
    my ($name, $lines, $id) = @$c;
    my $start = Time::HiRes::time();
    my $t = configtest(vhost(@$lines));
    my $took = Time::HiRes::time() - $start;
    ok t_cmp($t->{rc} != 0 ? 'fails' : 'passes', 'fails', "$name on a FIFO: configtest fails");
    ok t_cmp($t->{output}, qr/\Q$id\E: \Q$name\E[ :(].*\Q$fifo\E is not a regular file \(it is a FIFO\)/,
             "$name on a FIFO: says it is not a regular file");
    ok t_cmp($took < 10 ? 'quickly' : sprintf('after %.1f s', $took), 'quickly',
             "$name on a FIFO: configtest ends at once");
}

{
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$revroot"}, qq{CFAOPDenySerialFile "$deny"},
                             qq{CFAOPHostnameMap "$map"}, qq{CFAOPRevocationFile "$crl"}));
    ok t_cmp($t->{rc}, 0, 'lists with a BOM: configtest passes');
    ok t_cmp($t->{output}, qr/Syntax OK/, 'lists with a BOM: Syntax OK');
}

# The test server's own start (and every restart since): one notice per
# file, with what it loaded, each time the server says it is configured.
{
    sub entries {
        my ($path) = @_;
        open my $fh, '<', $path or die "$path: $!\n";
        return scalar grep { !/^\s*(#|$)/ } <$fh>;
    }
    my $log = do { local $/; open my $fh, "<", CFAOPTest::error_log() or die "error_log: $!\n"; <$fh> };
    my $starts = () = $log =~ /AH\d+: .* configured -- resuming normal operations/g;
    my $deny = pki('rev', 'deny-bare.txt');
    my $map = pki('hn', 'big.map');
    my $two = pki('rev', 'two.crl.pem');
    my $rev = pki('rev', 'root-ca.pem');
    my %want = (
        "CFAOPDenySerialFile $deny: " . entries($deny) . (entries($deny) == 1 ? ' serial' : ' serials') => 'the deny file with its serial count',
        "CFAOPHostnameMap $map: " . entries($map) . ' hostnames' => 'the map with its hostname count',
        "CFAOPTrustedCA $rev: 1 certificate" => 'the CA file with its certificate count',
    );
    for my $text (sort keys %want) {
        my $n = () = $log =~ /CFAOP0031: \Q$text\E$/mg;
        ok t_cmp($n, $starts, "notice: $want{$text}, once per start ($text)");
    }
    my ($crls) = $log =~ /CFAOP0031: CFAOPRevocationFile \Q$two\E: (.*)$/m;
    ok t_cmp($crls, qr/^2 CRLs, \d+ entries$/, 'notice: the CRL file with its CRL and entry counts');
    ok t_cmp($starts > 0 ? 'started' : 'no start line', 'started', 'the server logged its start');
}
