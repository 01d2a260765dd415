# SPDX-License-Identifier: Apache-2.0
# CFAOPTest::RemoteIP: what t/remoteip.t and t/remoteip-edges.t read back
# from a request: the client IP as the response and its access log line
# show it.
package CFAOPTest::RemoteIP;
use strict;
use warnings;

use Exporter 'import';
use Time::HiRes ();

our @EXPORT_OK = qw(seen access_line);

# "status REMOTE_ADDR CF_AOP_PEER_IP X-CF-AOP-Peer-IP" of one response
# (/env.shtml's variables, the vhost's X-CF-AOP-Peer-IP header).
sub seen {
    my $r = shift // {};
    return join ' ', $r->{status} // '-', $r->{env}{REMOTE_ADDR} // '-', $r->{env}{CF_AOP_PEER_IP} // '-',
        $r->{headers}{'x-cf-aop-peer-ip'} // '-';
}

# The rest of the line "TAG id=ID ..." of access log FILE, waiting a few
# seconds for it to be written; 'no line' if it never is.
sub access_line {
    my ($file, $tag, $id) = @_;
    my $until = Time::HiRes::time() + 5;
    while (Time::HiRes::time() < $until) {
        if (open my $fh, '<', $file) {
            while (<$fh>) {
                return $1 if /^\Q$tag\E id=\Q$id\E (.*)$/;
            }
        }
        Time::HiRes::sleep(0.05);
    }
    return 'no line';
}

1;
