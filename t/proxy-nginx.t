# SPDX-License-Identifier: Apache-2.0
# A real nginx in front of a CFAOP vhost, presenting the origin-pull
# certificate of each hostname itself (proxy_ssl_certificate, SNI per
# hostname, session reuse), the way admins put a proxy in front of Apache.
# Three hostnames with different hostname CAs share one CFAOP vhost; many
# requests, interleaved. See docs/proxies.md for the three set-ups:
#   pooled  one upstream (and keepalive pool) per hostname: the recommended one
#   shared  one upstream for all hostnames, no keepalive: nginx offers the
#           last session it got from the address to every hostname
#   mixed   one upstream and one keepalive pool for all hostnames: a
#           connection made for one hostname is reused for another, and
#           gets 421 (never 502), as the docs explain
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
my $rounds = 15;
my $nginx = find_program('nginx');

plan tests => 2 * (3 + 3 + 2), need { 'nginx (make deps installs it)' => defined $nginx };

my $origin = port('cfaop_hn');
# -e (the error log before the configuration is read) came with nginx 1.19.5;
# an older one only warns that it cannot open its default log.
my @early_log = $nginx && qx{'$nginx' -h 2>&1} =~ /^\s*-e\s/m ? ('-e', 'stderr') : ();

sub nginx_conf {
    my ($dir, $listen, $tls, $setup) = @_;
    my $conf = <<"EOF";
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 256; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
EOF
    if ($setup eq 'pooled') {
        for my $h (@hosts) {
            (my $u = $h) =~ tr/./_/;
            $conf .= "    upstream $u { server 127.0.0.1:$origin; keepalive 4; }\n";
        }
    }
    else {
        $conf .= "    upstream origin { server 127.0.0.1:$origin;"
               . ($setup eq 'mixed' ? ' keepalive 4;' : '') . " }\n";
    }
    for my $h (@hosts) {
        (my $u = $h) =~ tr/./_/;
        my $upstream = $setup eq 'pooled' ? $u : 'origin';
        my ($cert, $key) = (pki("hn/$leaf{$h}.pem"), pki("hn/$leaf{$h}.key"));
        $conf .= <<"EOF";
    server {
        listen 127.0.0.1:$listen;
        server_name $h;
        location / {
            proxy_pass https://$upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_ssl_server_name on;
            proxy_ssl_name \$host;
            proxy_ssl_protocols TLSv$tls;
            proxy_ssl_certificate $cert;
            proxy_ssl_certificate_key $key;
            proxy_ssl_session_reuse on;
        }
    }
EOF
    }
    return $conf . "}\n";
}


for my $tls ('1.3', '1.2') {
    for my $setup ('pooled', 'shared', 'mixed') {
        my $dir = workdir();
        my $listen = free_port();
        open my $fh, '>', "$dir/nginx.conf" or die "$dir/nginx.conf: $!";
        print $fh nginx_conf($dir, $listen, $tls, $setup);
        close $fh;
        my $pid = start_server(name => 'nginx', port => $listen, log => "$dir/stderr.log",
                               argv => [$nginx, '-p', $dir, '-c', "$dir/nginx.conf", @early_log]);
        my (%count, @wrong);
        for my $round (1 .. $rounds) {
            for my $h ($round % 2 ? @hosts : reverse @hosts) {
                my ($status, $policy) = @{ through_proxy($listen, $h) };
                $count{$status}++;
                push @wrong, "$h got policy $policy" if $status eq '200' && $policy ne "hostname:$h";
            }
        }
        stop_server($pid);
        my $summary = join ' ', map { "$_=$count{$_}" } sort keys %count;
        if ($setup eq 'mixed') {
            # A pooled connection reused for another hostname is refused
            # with 421, which says it closes the connection; nothing else.
            ok t_cmp(join(' ', grep { $_ ne '200' && $_ ne '421' } sort keys %count), '',
                     "TLS $tls, $setup: only 200 and 421 ($summary)");
        }
        else {
            ok t_cmp($summary, '200=' . $rounds * @hosts, "TLS $tls, $setup: every request 200");
        }
        ok t_cmp(join('; ', @wrong), '', "TLS $tls, $setup: each hostname verified under its own policy")
            unless $setup eq 'mixed' && !$count{200};
        ok 1 if $setup eq 'mixed' && !$count{200};
        if ($setup ne 'mixed') {
            # nothing in nginx's log says an upstream failed
            open my $log, '<', "$dir/error.log";
            my @upstream_errors = grep { /upstream|SSL_do_handshake|peer closed/ } <$log>;
            ok t_cmp(scalar(@upstream_errors), 0, "TLS $tls, $setup: no upstream error in nginx's log");
        }
    }
}
