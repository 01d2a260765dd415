# SPDX-License-Identifier: Apache-2.0
# The suite's server listens on 127.0.0.1 only, on the ports Apache::Test
# chose: every Listen of the configuration it generated (t/conf/httpd.conf
# and the files it includes) names 127.0.0.1, one for the main server and for
# each <VirtualHost name>, and every one of those ports answers on 127.0.0.1
# but not on 127.0.0.2 (a socket bound to 0.0.0.0 would answer there too).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use IO::Socket::INET ();

plan tests => 4;

# Listen arguments of FILE and of what it includes, in order.
sub listens {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    my @found;
    while (my $line = <$fh>) {
        if ($line =~ /^\s*Listen\s+(\S+)/i) {
            push @found, $1;
        }
        elsif ($line =~ /^\s*Include(?:Optional)?\s+"?([^"\s]+)"?/i) {
            push @found, listens($_) for glob $1;
        }
    }
    close $fh;
    return @found;
}

my @listen = listens(Apache::Test::vars('t_conf_file'));
my @wide = grep { !/^127\.0\.0\.1:\d+$/ } @listen;
ok t_cmp(join(' ', @wide), '', 'every Listen of the generated configuration is 127.0.0.1:PORT');

my $vhosts = Apache::Test::config()->{vhosts};
my %want = map { $_ => 1 } Apache::Test::vars('port'), map { $vhosts->{$_}{port} } keys %$vhosts;
my @ports = sort { $a <=> $b } keys %want;
my %listened = map { /:(\d+)$/ ? ($1 => 1) : () } @listen;
ok t_cmp(join(' ', grep { !$listened{$_} } @ports), '',
         'the main server and every <VirtualHost name> have a Listen (' . scalar(@ports) . ' ports)');

sub answers {
    my ($addr, $port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $addr, PeerPort => $port, Timeout => 5) or return 0;
    close $s;
    return 1;
}
ok t_cmp(join(' ', grep { !answers('127.0.0.1', $_) } @ports), '', 'every port answers on 127.0.0.1');
ok t_cmp(join(' ', grep { answers('127.0.0.2', $_) } @ports), '', 'no port answers on 127.0.0.2');
