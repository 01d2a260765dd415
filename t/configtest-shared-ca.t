# SPDX-License-Identifier: Apache-2.0
# CFAOP0011 (a vhost that trusts only the shared Cloudflare CA) also when
# that CA is given as a file, recognised by its SHA-256 fingerprint whatever
# the file is called; not when the file adds a CA of one's own.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";

use Cwd ();
use File::Spec;
use File::Temp ();
use Apache::Test;
use Apache::TestUtil;
use CFAOPTest;

my $shipped = Cwd::abs_path(File::Spec->catfile($FindBin::Bin, File::Spec->updir, 'conf', 'cloudflare-origin-pull-ca.pem'));
my $dir = File::Temp::tempdir('shared.XXXXXX', DIR => Apache::Test::vars('t_logs'), CLEANUP => 1);
my $pem = do { open my $fh, '<', $shipped or die "$shipped: $!\n"; local $/; <$fh> };
my $root = do { open my $fh, '<', pki('root-ca.pem') or die "root-ca.pem: $!\n"; local $/; <$fh> };

sub write_file { CFAOPTest::write_text($dir, @_) }
my $copy = write_file('origin-pull-ca.pem', $pem);
my $both = write_file('both.pem', $pem . $root);

sub vhost { CFAOPTest::cfaop_vhost(@_) }

plan tests => 8;

for my $c (['the shipped PEM', $shipped], ['a copy under another name', $copy]) {
    my ($what, $file) = @$c;
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$file"}));
    ok t_cmp($t->{rc}, 0, "Cloudflare CA as $what: configtest passes");
    ok t_cmp($t->{output},
             qr/CFAOP0011: virtual host \S+:8443 \(.*\) trusts only the shared Cloudflare origin-pull CA \(given as the file \Q$file\E\): any Cloudflare customer/,
             "Cloudflare CA as $what: CFAOP0011 names the file");
}
{
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$both"}));
    ok t_cmp($t->{rc}, 0, 'Cloudflare CA with a CA of ones own in one file: configtest passes');
    ok t_cmp($t->{output}, qr/^(?!.*CFAOP0011)/s, 'Cloudflare CA with a CA of ones own in one file: no CFAOP0011');
}
{
    my $t = configtest(vhost(qq{CFAOPTrustedCA "$copy"}, 'CFAOPTrustedCA "' . pki('root-ca.pem') . '"'));
    ok t_cmp($t->{rc}, 0, 'Cloudflare CA file and a CA of ones own: configtest passes');
    ok t_cmp($t->{output}, qr/^(?!.*CFAOP0011)/s, 'Cloudflare CA file and a CA of ones own: no CFAOP0011');
}
