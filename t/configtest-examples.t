# SPDX-License-Identifier: Apache-2.0
# The shipped vhost examples keep their port closed when the module is not
# loaded: they pass configtest with and without cf_aop_module, and without
# it the vhost refuses every request (403) instead of vanishing and letting
# another vhost answer.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use File::Spec;
use File::Temp ();
use IO::Socket::INET;
use IO::Socket::SSL;
use Time::HiRes ();
use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $top = File::Spec->catdir($FindBin::Bin, File::Spec->updir);
my $dir = File::Temp::tempdir('examples.XXXXXX', DIR => Apache::Test::vars('t_logs'), CLEANUP => 1);
my $root = pki('root-ca.pem');
my $htdocs = Apache::Test::vars('documentroot');

open my $mfh, '>', "$dir/hostnames.map" or die "$dir/hostnames.map: $!\n";
print $mfh "map.example.com $root\n";
close $mfh;

# An example with its paths and address made to fit this test.
sub example {
    my ($name, $addr) = @_;
    my $path = File::Spec->catfile($top, 'conf', $name);
    open my $fh, '<', $path or die "$path: $!\n";
    my $text = do { local $/; <$fh> };
    close $fh;
    $text =~ s{<VirtualHost \*:443>}{<VirtualHost $addr>};
    $text =~ s{/etc/ssl/certs/\S+\.pem}{${\ pki('server.pem')}}g;
    $text =~ s{/etc/ssl/private/\S+\.key}{${\ pki('server.key')}}g;
    $text =~ s{/etc/apache2/cf_aop/hostnames\.map}{$dir/hostnames.map}g;
    $text =~ s{/etc/apache2/cf_aop/\S+\.pem}{$root}g;
    $text =~ s{\$\{APACHE_LOG_DIR\}}{$dir}g;
    $text =~ s{/var/www/html}{$htdocs}g;
    return $text;
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1)
        or die "no free port: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

my @examples = ('vhost-zone.conf.example', 'vhost-per-hostname.conf.example');
plan tests => 4 * @examples + 3;

for my $name (@examples) {
    my $with = configtest(example($name, '127.0.0.1:8443'));
    ok t_cmp($with->{rc}, 0, "$name with the module: configtest passes") or print STDERR $with->{output};
    ok t_cmp($with->{output}, qr/Syntax OK/, "$name with the module: Syntax OK");
    my $without = CFAOPTest::configtest_without(['cf_aop'], example($name, '127.0.0.1:8443'));
    ok t_cmp($without->{rc}, 0, "$name without the module: configtest passes") or print STDERR $without->{output};
    ok t_cmp($without->{output}, qr/Syntax OK/, "$name without the module: Syntax OK");
}

# The zone example served without the module: every request is refused.
{
    my $port = free_port();
    my $t = CFAOPTest::configtest_without(['cf_aop'], example('vhost-zone.conf.example', "127.0.0.1:$port"),
                                          listen => "127.0.0.1:$port");
    my $httpd = Apache::Test::vars('httpd');
    system($httpd, '-f', $t->{conf}, '-k', 'start') == 0 or die "cannot start $httpd -f $t->{conf}\n";
    my $sock;
    for (1 .. 50) {
        last if $sock = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => $port,
                                             SSL_verify_mode => SSL_VERIFY_NONE, Timeout => 5);
        Time::HiRes::sleep(0.1);
    }
    ok t_cmp($sock ? 'connected' : "no connection: $IO::Socket::SSL::SSL_ERROR", 'connected',
             'zone example without the module: the TLS vhost answers');
    my ($status, $index) = ('', '');
    if ($sock) {
        print $sock "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n";
        my $resp = do { local $/; <$sock> } // '';
        ($status) = $resp =~ m{^HTTP/1\.1 (\d{3})};
        close $sock;
    }
    ok t_cmp($status, 403, 'zone example without the module: GET / is refused (403)');
    if (my $s2 = IO::Socket::SSL->new(PeerHost => '127.0.0.1', PeerPort => $port,
                                      SSL_verify_mode => SSL_VERIFY_NONE, Timeout => 5)) {
        print $s2 "GET /index.html HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n";
        my $resp = do { local $/; <$s2> } // '';
        ($index) = $resp =~ m{^HTTP/1\.1 (\d{3})};
    }
    ok t_cmp($index, 403, 'zone example without the module: any path, any Host is refused (403)');
    system($httpd, '-f', $t->{conf}, '-k', 'stop');
    for (1 .. 50) { last unless -e "$t->{dir}/httpd.pid"; Time::HiRes::sleep(0.1) }
}
