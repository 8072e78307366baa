#!/usr/bin/env bash
# starttls-probe serve scraped by a real Prometheus (Debian's prometheus), blackbox-style through
# relabelling, its stored series checked through Prometheus's query API (promtool query):
#   serve_prometheus.sh STARTTLS_PROBE FLEET
# Endpoints: the fleet's healthy, silent and closed ones on loopback. Exit 77 (skipped) without prometheus.
set -u
bin=$1
fleet=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL [serve-prometheus]: $*"
  for f in serve.out prometheus.log; do echo "--- $f"; tail -20 "$work/$f" 2>/dev/null; done
  exit 1
}
command -v prometheus >/dev/null && command -v promtool >/dev/null || { echo "prometheus not installed: skipped"; exit 77; }

# A loopback port where nothing listens, for Prometheus itself.
free_port() {
  for p in $(seq 19090 19190); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}

"$fleet" --healthy 1 --silent 1 --closed 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 120 \
  >"$work/fleet.out" </dev/zero &
pids+=($!)
for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
healthy=$(grep -m1 'mail.contoso.test' "$work/t.txt" | cut -d' ' -f1)
silent=$(grep -m1 'silent.contoso.test' "$work/t.txt" | cut -d' ' -f1)
closed=$(grep -m1 'closed.contoso.test' "$work/t.txt" | cut -d' ' -f1)
[ -n "$healthy" ] && [ -n "$silent" ] && [ -n "$closed" ] || fail "the fleet did not start"

"$bin" serve --listen 127.0.0.1:0 --ca-file "$work/ca.pem" --ehlo probe.contoso.test --retries 0 --no-dane \
  >"$work/serve.out" 2>&1 &
serve_pid=$!
pids+=($serve_pid)
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
exporter=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/serve.out" | head -1 | sed 's|http://||')
[ -n "$exporter" ] || fail "serve did not say where it listens"

port=$(free_port) || fail "no free port for Prometheus"
# Every 2 s, within 2 s: the exporter gives each probe 1.5 s (the scrape timeout less half a second).
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
scrape_configs:
  - job_name: starttls
    metrics_path: /probe
    params:
      fqdn: [mail.contoso.test]
    static_configs:
      - targets: ['$healthy', '$silent', '$closed']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: '$exporter'
EOF
promtool check config "$work/prometheus.yml" >/dev/null || fail "promtool rejects the configuration"
prometheus --config.file "$work/prometheus.yml" --storage.tsdb.path "$work/data" \
  --web.listen-address "127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
pids+=($!)

query() { promtool query instant "http://127.0.0.1:$port" "$1" 2>/dev/null; }
# Until every target has been scraped (bounded: 40 s).
for _ in $(seq 80); do
  [ "$(query 'count(starttls_probe_success)' | grep -o '=> [0-9]*' | grep -o '[0-9]*')" = 3 ] && break
  sleep 0.5
done
value() { query "$1" | grep -o '=> [0-9.e+-]*' | head -1 | cut -c4-; }
[ "$(value "starttls_probe_success{instance=\"$healthy\"}")" = 1 ] || fail "healthy: starttls_probe_success is not 1: $(query starttls_probe_success)"
[ "$(value "starttls_probe_success{instance=\"$closed\"}")" = 0 ] || fail "closed: starttls_probe_success is not 0"
[ "$(value "starttls_probe_success{instance=\"$silent\"}")" = 0 ] || fail "silent: starttls_probe_success is not 0"
# The silent endpoint's scrape still succeeded: the probe kept within Prometheus's timeout header.
[ "$(value "up{instance=\"$silent\"}")" = 1 ] || fail "the silent endpoint's scrape timed out (up is not 1)"
[ "$(value "starttls_probe_status{instance=\"$healthy\",target=\"$healthy\"}")" = 0 ] || fail "healthy: status is not 0"
not_after=$(value "starttls_probe_cert_not_after_seconds{instance=\"$healthy\"}")
[ -n "$not_after" ] && [ "$(value "starttls_probe_cert_not_after_seconds{instance=\"$healthy\"} > time()")" != "" ] ||
  fail "healthy: no certificate expiry in the future stored"
[ "$(value "starttls_probe_finding{instance=\"$closed\",code=\"connect-failed\"}")" = 1 ] || fail "closed: no connect-failed finding"
[ "$(value "count(starttls_probe_info{instance=\"$healthy\",checked_fqdn=\"mail.contoso.test\"})")" = 1 ] ||
  fail "healthy: no starttls_probe_info with the checked FQDN"

# SIGTERM: serve stops cleanly, exit 0, within its second of grace.
kill -TERM "$serve_pid"
for _ in $(seq 30); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$serve_pid" 2>/dev/null && fail "serve still runs 3 s after SIGTERM"
wait "$serve_pid"
code=$?
[ "$code" -eq 0 ] || fail "serve exited $code after SIGTERM"
echo "ok [serve-prometheus]"
