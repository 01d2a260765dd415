# SPDX-License-Identifier: Apache-2.0
# HAProxy in front of a CFAOP vhost with three hostname policies: one
# backend per hostname, each presenting that hostname's origin-pull
# certificate with its own SNI (the set-up docs/proxies.md shows); many
# requests, interleaved, over TLS 1.3 and 1.2: every one 200, each verified
# under its own hostname's policy.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;
use CFAOPTest::Servers qw(free_port start_server stop_server find_program workdir through_proxy);

my @hosts = qw(app.example.test shop.example.test admin.example.test);
my %leaf = ('app.example.test' => 'app', 'shop.example.test' => 'shop', 'admin.example.test' => 'admin');
my $haproxy = find_program('haproxy');

plan tests => 2 * 2, need { 'HAProxy (make deps installs it)' => defined $haproxy };

my $origin = port('cfaop_hn');

sub haproxy_conf {
    my ($dir, $listen, $tls) = @_;
    my $conf = <<"EOF2";
global
    maxconn 64
defaults
    mode http
    timeout connect 5s
    timeout client 10s
    timeout server 10s
frontend in
    bind 127.0.0.1:$listen
EOF2
    for my $h (@hosts) {
        (my $b = $h) =~ tr/./_/;
        $conf .= "    use_backend $b if { hdr(host) -i $h }\n";
    }
    for my $h (@hosts) {
        (my $b = $h) =~ tr/./_/;
        my $crt = "$dir/$leaf{$h}.pem";
        open my $out, '>', $crt or die "$crt: $!";
        for my $f (pki("hn/$leaf{$h}.pem"), pki("hn/$leaf{$h}.key")) {
            open my $in, '<', $f or die "$f: $!";
            print {$out} <$in>;
        }
        close $out;
        $conf .= <<"EOF2";
backend $b
    http-reuse safe
    server origin 127.0.0.1:$origin ssl verify none sni str($h) crt $crt ssl-min-ver TLSv$tls ssl-max-ver TLSv$tls
EOF2
    }
    return $conf;
}


for my $tls ('1.3', '1.2') {
    my $dir = workdir();
    my $listen = free_port();
    open my $fh, '>', "$dir/haproxy.cfg" or die "$dir/haproxy.cfg: $!";
    print $fh haproxy_conf($dir, $listen, $tls);
    close $fh;
    my $pid = start_server(name => 'haproxy', port => $listen, log => "$dir/stderr.log",
                           argv => [$haproxy, '-db', '-f', "$dir/haproxy.cfg"]);
    my (%count, @wrong);
    for my $round (1 .. 15) {
        for my $h ($round % 2 ? @hosts : reverse @hosts) {
            my ($status, $policy) = @{ through_proxy($listen, $h) };
            $count{$status}++;
            push @wrong, "$h got policy $policy" if $status eq '200' && $policy ne "hostname:$h";
        }
    }
    stop_server($pid);
    ok t_cmp(join(' ', map { "$_=$count{$_}" } sort keys %count), '200=45', "TLS $tls: every request 200");
    ok t_cmp(join('; ', @wrong), '', "TLS $tls: each hostname verified under its own policy");
}
