#!/usr/bin/env bash
# The Icinga 2 CheckCommand shipped in packaging/ validated by Debian's icinga2 (icinga2 daemon -C)
# in a configuration that uses it, and each of its arguments known to `starttls-probe check`:
#   icinga_check_command.sh STARTTLS_PROBE [installed]
# With "installed", the CheckCommand the package put in plugins-contrib.d, loaded as a user would.
# Exit 77 (skipped) without icinga2.
set -u
bin=$1
here="$(cd "$(dirname "$0")/.." && pwd)"
conf="$here/packaging/icinga2/check_starttls.conf"
load="include \"$conf\""
if [ "${2:-}" = installed ]; then
  conf=/usr/share/icinga2/include/plugins-contrib.d/starttls.conf
  load=$'include <plugins-contrib>\nconst PluginContribDir = "/usr/lib/nagios/plugins"'
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # icinga2 reads it as its own user (nagios)
fail() { echo "FAIL [icinga]: $*"; cat "$work/out" 2>/dev/null | tail -20; exit 1; }
command -v icinga2 >/dev/null || { echo "icinga2 not installed: skipped"; exit 77; }

config() {  # config FILE INCLUDE: a host and a service that uses the CheckCommand
  cat >"$1" <<CONF
include <itl>
include <plugins>
const PluginDir = "/usr/lib/nagios/plugins"
$2
object Host "mail01" {
  check_command = "dummy"
  address = "127.0.0.1"
}
object Service "smtp-starttls" {
  host_name = "mail01"
  check_command = "starttls"
  vars.starttls_fqdn = "mail.contoso.test"
  vars.starttls_port = 587
  vars.starttls_warn_days = 30
  vars.starttls_crit_days = 7
  vars.starttls_require_trusted = true
}
CONF
}
config "$work/good.conf" "$load"
icinga2 daemon -C -c "$work/good.conf" >"$work/out" 2>&1 || fail "icinga2 rejects the CheckCommand"
grep -q 'Instantiated 1 Service' "$work/out" || fail "the service was not instantiated"
# The same service without the CheckCommand is refused: the check above can fail.
config "$work/bad.conf" ""
icinga2 daemon -C -c "$work/bad.conf" >"$work/out" 2>&1 && fail "icinga2 accepted a service with no CheckCommand"
grep -q "Object 'starttls' of type 'CheckCommand' does not exist" "$work/out" || fail "not the expected refusal"

# Every argument the CheckCommand passes is an option of `starttls-probe check`.
"$bin" check --help >"$work/help" 2>&1
grep -o '^    "-[-a-zA-Z0-9]*"' "$conf" | tr -d ' "' | while read -r option; do
  grep -Eq -- "(^|[ ,])$option([ ,]|$)" "$work/help" || { echo "FAIL [icinga]: $option is not an option of check"; exit 1; }
done || exit 1
echo "ok [icinga]"
