#!/usr/bin/env bash
# The Debian package as a new user meets it: tests/package_test.sh BUILD_DIR (configured with
# -DCMAKE_INSTALL_PREFIX=/usr and built). Builds the .deb with CPack, checks its control data and
# contents with dpkg-deb and Debian's lintian; then, as root, installs it with dpkg -i, runs the
# installed starttls-probe and check_starttls against a lab endpoint, validates the shipped systemd
# units (systemd-analyze verify) and Icinga 2 CheckCommand (icinga2 daemon -C), and removes it.
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
chmod 755 "$work"  # icinga2 reads its configuration here as its own user
installed=0
fleet_pid=
cleanup() {
  [ -n "$fleet_pid" ] && kill "$fleet_pid" 2>/dev/null
  [ "$installed" = 1 ] && dpkg -r starttls-probe >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL [package]: $*"; exit 1; }

rm -f "$build"/starttls-probe_*.deb
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$build"/starttls-probe_*_amd64.deb)
echo "package: $deb ($(stat -c %s "$deb") bytes)"

# Control data: the libraries the binary links (dpkg-shlibdeps), the trust anchor recommended.
dpkg-deb -f "$deb" Depends >"$work/depends"
for lib in libssl3 libunbound8 libtcmalloc-minimal4 libboost-json1.81.0 libxml2 libstdc++6 libc6; do
  grep -q "$lib " "$work/depends" || fail "Depends lacks $lib: $(cat "$work/depends")"
done
[ "$(dpkg-deb -f "$deb" Recommends)" = dns-root-data ] || fail "Recommends is not dns-root-data"
dpkg-deb -c "$deb" | awk '{print $6, $7, $8}' | sed 's/ *$//' >"$work/contents"
for path in ./usr/bin/starttls-probe "./usr/lib/nagios/plugins/check_starttls -> ../../../bin/starttls-probe" \
  ./usr/share/man/man1/starttls-probe.1.gz ./usr/share/bash-completion/completions/starttls-probe \
  ./usr/share/icinga2/include/plugins-contrib.d/starttls.conf ./usr/share/doc/starttls-probe/copyright \
  ./usr/share/doc/starttls-probe/examples/systemd/starttls-probe-scan.timer \
  ./usr/share/doc/starttls-probe/examples/systemd/starttls-probe-serve.service \
  ./usr/share/doc/starttls-probe/examples/nagios/check_starttls.cfg \
  ./usr/share/doc/starttls-probe/examples/kubernetes/starttls-probe-job.yaml; do
  grep -qxF -- "$path" "$work/contents" || fail "the package lacks $path"
done
lintian --fail-on error,warning --pedantic "$deb" 2>&1 | grep -v 'running with root privileges' || true
lintian --fail-on error,warning --pedantic "$deb" >/dev/null 2>&1 || fail "lintian reports errors or warnings"
echo "lintian: no error, warning or pedantic tag"

if [ "$(id -u)" -ne 0 ]; then
  echo "package: not root, so not installed (dpkg -i needs root)"
  exit 0
fi
dpkg -r starttls-probe >/dev/null 2>&1 || true  # an earlier run's, if it was cut short
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
installed=1
command -v starttls-probe | grep -qx /usr/bin/starttls-probe || fail "starttls-probe is not on PATH from /usr/bin"
starttls-probe --version | head -1 | grep -qx "starttls-probe [0-9.]*" || fail "--version"

# The installed plugin against a lab endpoint.
"$build/bench/starttls-probe-fleet" --healthy 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 \
  >"$work/fleet.out" </dev/zero &
fleet_pid=$!
for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(cut -d' ' -f1 "$work/t.txt")
set +e
/usr/lib/nagios/plugins/check_starttls -H "${endpoint%:*}" -p "${endpoint##*:}" --fqdn mail.contoso.test \
  --ca-file "$work/ca.pem" >"$work/check.out"
code=$?
set -e
[ "$code" -eq 0 ] && grep -q '^STARTTLS OK - ' "$work/check.out" || fail "check_starttls: exit $code: $(cat "$work/check.out")"
echo "installed: $(head -1 "$work/check.out")"

# The installed exporter: /probe of the same endpoint over plain HTTP (bash's /dev/tcp), then SIGTERM.
starttls-probe serve --listen 127.0.0.1:0 --ca-file "$work/ca.pem" >"$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
listen=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -1)
[ -n "$listen" ] || fail "the installed serve did not start"
exec 7<>"/dev/tcp/127.0.0.1/${listen##*:}"
printf 'GET /probe?target=%s&fqdn=mail.contoso.test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$endpoint" >&7
timeout 10 cat <&7 >"$work/probe.http" || true
exec 7<&-
grep -q '^starttls_probe_success 1' "$work/probe.http" || fail "the installed serve: $(head -c 300 "$work/probe.http")"
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited $? on SIGTERM"
echo "installed: serve answered /probe with starttls_probe_success 1 and stopped on SIGTERM"

# Its man page, its completion, its systemd units, its Icinga 2 CheckCommand where they are looked for.
zcat /usr/share/man/man1/starttls-probe.1.gz | grep -q '^\.SH EXIT STATUS' || fail "the man page"
bash -c 'source /usr/share/bash-completion/completions/check_starttls && complete -p check_starttls' >/dev/null ||
  fail "the bash completion"
if command -v systemd-analyze >/dev/null; then
  cp /usr/share/doc/starttls-probe/examples/systemd/* "$work/"
  # Any word from verify (an unknown key is only a warning to it) fails the test.
  said=$(systemd-analyze verify "$work/starttls-probe-scan.service" "$work/starttls-probe-scan.timer" \
    "$work/starttls-probe-serve.service" 2>&1) || fail "systemd-analyze verify rejects the units: $said"
  [ -z "$said" ] || fail "systemd-analyze verify: $said"
  echo "systemd-analyze verify: the scan service and timer and the serve service pass"
fi
if command -v icinga2 >/dev/null; then
  bash "$(dirname "$0")/icinga_check_command.sh" /usr/bin/starttls-probe installed || fail "the installed CheckCommand"
fi

dpkg -r starttls-probe >/dev/null
installed=0
[ ! -e /usr/bin/starttls-probe ] && [ ! -e /usr/lib/nagios/plugins/check_starttls ] || fail "dpkg -r left files"
echo "package: built, checked, installed, run and removed"
