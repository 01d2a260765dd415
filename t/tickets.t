# SPDX-License-Identifier: Apache-2.0
# TLS 1.3 session tickets on CFAOP vhosts: one per handshake (each ticket
# carries the client certificate and costs server CPU), whether the vhost is
# the default of its port or chosen by SNI; other vhosts keep OpenSSL's two.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

plan tests => 4;

# NewSessionTicket messages the server sends after one TLS 1.3 handshake
# and request, as openssl s_client -msg shows them.
sub tickets {
    my ($vhost, $sni, $cert) = @_;
    my $port = port($vhost);
    my $auth = $cert ? sprintf("-cert '%s' -key '%s'", pki("$cert.pem"), pki("$cert.key")) : '';
    my $out = qx{printf 'GET / HTTP/1.1\\r\\nHost: $sni\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client -connect 127.0.0.1:$port -servername $sni -tls1_3 -msg -ign_eof $auth 2>&1};
    my $n = () = $out =~ /<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], NewSessionTicket/g;
    return $n;
}

ok t_cmp(tickets('cfaop_named', 'aop-a.test', 'good'), 1, 'CFAOP vhost, the default of its port: 1 ticket');
ok t_cmp(tickets('cfaop_named', 'aop-b.test', 'good'), 1, 'CFAOP vhost chosen by SNI (CFAOP default): 1 ticket');
ok t_cmp(tickets('cfaop_sni_tickets', 'aop.test', 'good'), 1,
         'CFAOP vhost chosen by SNI on a port whose default is not CFAOP: 1 ticket');
ok t_cmp(tickets('cfaop_sni_tickets', 'plain.test', undef), 2, 'the non-CFAOP default vhost: OpenSSL\'s 2 tickets');
