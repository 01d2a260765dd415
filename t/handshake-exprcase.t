# SPDX-License-Identifier: Apache-2.0
# ReportOnly: the module answers SSL_CLIENT_VERIFY in expressions whatever
# the case of the SSL() function or of the variable name, as mod_ssl
# matches them; under TLS 1.2 with SSLVerifyClient none at directory level,
# mod_ssl's own verify result reads OK again when SSLRequire runs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my @paths = qw(/lower /upper /var);
plan tests => 2 * 2 * @paths;

for my $tls ('1.3', '1.2') {
    for my $case (['selfsigned', 403], ['good', 200]) {
        my ($cert, $want) = @$case;
        for my $path (@paths) {
            my $r = tls_request(vhost => 'cfaop_report_exprcase', cert => $cert, tls => $tls, path => $path);
            ok t_cmp($r->{status} // 'no-response', $want, "TLS $tls, $cert: SSLRequire at $path");
        }
    }
}
