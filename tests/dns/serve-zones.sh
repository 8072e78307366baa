#!/usr/bin/env bash
# Serves the tests' DNS zones from Debian's nsd on 127.0.0.1, signed at the moment they start.
#   tests/dns/serve-zones.sh DIR     start; DIR/zones.list says what to serve, one zone a line:
#                                    NAME HOW, HOW one of signed, expired (signatures that ran out
#                                    in 2020), tampered (A records changed after signing), unsigned;
#                                    DIR/NAME.zone holds the zone's records (no DNSKEY/RRSIG).
#   tests/dns/serve-zones.sh --stop DIR
# On start, prints the port; DIR/anchors then holds the DNSKEY of every zone that is not unsigned
# (the --dnssec-anchor file), DIR/port the port and DIR/nsd.pid the server's process.
set -euo pipefail

if [ "${1:-}" = "--stop" ]; then
  dir=$2
  if [ -s "$dir/nsd.pid" ]; then
    pid=$(cat "$dir/nsd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/nsd.pid"
  fi
  exit 0
fi

dir=$(cd "$1" && pwd)
command -v nsd >/dev/null && command -v ldns-signzone >/dev/null ||
  { echo "serve-zones: nsd and ldnsutils are needed (scripts/setup.sh installs them)" >&2; exit 1; }
[ -s "$dir/zones.list" ] || { echo "serve-zones: $dir/zones.list is missing" >&2; exit 1; }

mkdir -p "$dir/keys"
: >"$dir/anchors"
zone_conf=""
first=""
while read -r name how; do
  [ -n "$name" ] || continue
  [ -n "$first" ] || first=$name
  file="$dir/$name.zone"
  served=$file
  if [ "$how" != unsigned ]; then
    # A key-signing and a zone-signing key (ECDSA P-256, algorithm 13), made now.
    ksk=$(cd "$dir/keys" && ldns-keygen -a ECDSAP256SHA256 -k "$name")
    zsk=$(cd "$dir/keys" && ldns-keygen -a ECDSAP256SHA256 "$name")
    grep -h DNSKEY "$dir/keys/$ksk.key" >>"$dir/anchors"
    window=()
    [ "$how" = expired ] && window=(-i 20200101000000 -e 20200201000000)
    ldns-signzone "${window[@]}" -f "$dir/$name.signed" "$file" "$dir/keys/$zsk" "$dir/keys/$ksk"
    [ "$how" = tampered ] && sed -i -E 's/(\sA\s+)127\.0\.0\.[0-9]+/\1127.0.0.99/' "$dir/$name.signed"
    served="$dir/$name.signed"
  fi
  zone_conf+=$'zone:\n'"  name: \"$name\""$'\n'"  zonefile: \"$served\""$'\n'
done <"$dir/zones.list"

# A free port: nsd stops at once when it cannot bind; try another.
for attempt in $(seq 20); do
  port=$((20000 + (RANDOM * 7 + attempt * 131) % 40000))
  cat >"$dir/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  server-count: 1
  verbosity: 1
  hide-version: yes
  refuse-any: yes
  rrl-ratelimit: 0
remote-control:
  control-enable: no
$zone_conf
CONF
  rm -f "$dir/nsd.pid"
  nsd -c "$dir/nsd.conf" || continue
  for _ in $(seq 50); do
    if drill -Q -p "$port" @127.0.0.1 "$first" SOA >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "$port"
      exit 0
    fi
    [ -s "$dir/nsd.pid" ] && ! kill -0 "$(cat "$dir/nsd.pid")" 2>/dev/null && break
    sleep 0.1
  done
  "$0" --stop "$dir"
done
echo "serve-zones: nsd did not start; its log:" >&2
cat "$dir/nsd.log" >&2 2>/dev/null || true
exit 1
