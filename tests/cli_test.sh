#!/usr/bin/env bash
# Smoke tests of the starttls-probe binary itself: cli_test.sh BINARY CASE.
# Each case checks exit code, stdout and stderr; it prints what differed and exits 1 on failure.
set -u
bin=$1
case_name=$2
fleet=${3:-}
certs="$(cd "$(dirname "$0")/../testdata/certs" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A loopback port where nothing listens (checked with bash's /dev/tcp, no other tool needed).
closed_port() {
  for p in 1 9 47 49151 65000; do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo 1
}

fail() { echo "FAIL [$case_name]: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }
run() { "$bin" "$@" >"$work/out" 2>"$work/err"; code=$?; }
expect_code() { [ "$code" -eq "$1" ] || fail "exit code $code, expected $1"; }
expect_out() { grep -Eq -- "$1" "$work/out" || fail "stdout lacks /$1/"; }
expect_err_line() {
  [ "$(wc -l <"$work/err")" -eq 1 ] || fail "stderr is not exactly one line"
  grep -Eq -- "$1" "$work/err" || fail "stderr lacks /$1/"
  [ ! -s "$work/out" ] || fail "stdout is not empty"
}

case $case_name in
  version)
    run --version; expect_code 0; expect_out '^starttls-probe [0-9]+\.[0-9]+\.[0-9]+$'; expect_out '^OpenSSL 3\.'
    expect_out '^key decoding: OpenSSL'
    STARTTLS_PROBE_BUILTIN_KEYS=0 "$bin" --version >"$work/out" 2>"$work/err"
    expect_out "^key decoding: OpenSSL's provider decoders" ;;
  help) run --help; expect_code 0; expect_out 'scan'; expect_out 'demo' ;;
  scan-help) run scan --help; expect_code 0; expect_out '--targets'; expect_out '--timeout'; expect_out '--concurrency' ;;
  no-command) run; expect_code 3; expect_err_line 'subcommand is required' ;;
  cli-conventions)
    # What people expect of a command line: exit codes in --help, a mistyped command named with the
    # nearest one, values named by their kind, thresholds that make sense, nagios's status line on
    # an input error, and targets files as Windows writes them.
    run --help; expect_code 0; expect_out '^Exit codes: 0 every endpoint OK; 1 the worst result is a warning; 2 at least one critical'
    run scan --help; expect_code 0; expect_out '--timeout SECONDS'; expect_out '--ca-file FILE'; expect_out '--save-chains DIR'
    expect_out 'Exit codes: 0'
    ! grep -q 'TEXT' "$work/out" || fail "an option value is still named TEXT"
    run demo --brief --no-color; expect_code 2
    [ "$(wc -l <"$work/out")" -eq 13 ] || fail "--brief: not one line per endpoint and the summary"
    head -1 "$work/out" | grep -Eq '^CRITICAL  127\.0\.0\.1:[0-9]+  "Relay EX02"  starttls-not-offered  -$' || fail "--brief: not worst first"
    grep -Eq '^CRITICAL  .*"Default Frontend EX05"  certificate-expired  expired [0-9]+ days ago$' "$work/out" || fail "--brief: no expiry"
    grep -Eq '^OK        smtps://127\.0\.0\.1:[0-9]+  "Client Proxy EX01"  ok  [0-9]+ days left$' "$work/out" || fail "--brief: no OK line"
    expect_out '^Summary: 12 endpoints'
    run demo --no-color; expect_code 2; expect_out '^Not OK, worst first:$'
    [ "$(grep -A 10 '^Not OK, worst first:$' "$work/out" | grep -c '^  CRITICAL  ')" -eq 5 ] || fail "the summary does not list the five critical ones"
    run scan --brief --format jsonl 127.0.0.1; expect_code 3; expect_err_line '--brief is for --format text'
    run scna 127.0.0.1; expect_code 3; expect_err_line "'scna' is not a command; did you mean 'scan'\?"
    run scan --warn-days 3 --crit-days 7 127.0.0.1; expect_code 3; expect_err_line '--warn-days 3 is below --crit-days 7'
    run scan --format nagios mail.contoso.test:0; expect_code 3
    expect_out "^STARTTLS UNKNOWN - target: bad port '0'"
    port=$(closed_port)
    { printf '\xff\xfe'; printf '# saved by Notepad\r\n127.0.0.1:%s fqdn=mail.contoso.test connector="Empf\xc3\xa4nger"\r\n' "$port" |
        iconv -f UTF-8 -t UTF-16LE; } >"$work/utf16.txt"
    { printf '\xef\xbb\xbf'; printf '127.0.0.1:%s fqdn=mail.contoso.test\r\n' "$port"; } >"$work/utf8bom.txt"
    for file in utf16.txt utf8bom.txt; do
      run scan --targets "$work/$file" --format jsonl --quiet --retries 0; expect_code 3
      [ ! -s "$work/err" ] || fail "$file: $(cat "$work/err")"
      expect_out '"expected_fqdn":"mail.contoso.test"'
      expect_out '"code":"connect-failed"'
      [ "$file" != utf16.txt ] || expect_out '"connector":"Empfänger"'
    done ;;
  unknown-option) run scan --bogus; expect_code 3; expect_err_line 'bogus' ;;
  bad-port) run scan mail.contoso.test:0; expect_code 3; expect_err_line "bad port '0'" ;;
  bad-port-letters) run scan mail.contoso.test:smtp; expect_code 3; expect_err_line 'not a number' ;;
  no-targets) run scan; expect_code 3; expect_err_line 'no targets' ;;
  unknown-format) run scan --format yaml 127.0.0.1; expect_code 3; expect_err_line 'yaml' ;;
  bad-timeout) run scan --timeout 0 127.0.0.1; expect_code 3; expect_err_line 'timeout' ;;
  bad-shard)
    run scan --shard 3/3 127.0.0.1; expect_code 3; expect_err_line "--shard '3/3'"
    run scan --shard x/4 127.0.0.1; expect_code 3; expect_err_line "--shard 'x/4'" ;;
  bad-resolve) run scan --resolve mail.contoso.test:999.1.1.1 mail.contoso.test; expect_code 3; expect_err_line "is not an IP address" ;;
  bad-limits)
    run scan --concurrency 0 127.0.0.1; expect_code 3; expect_err_line 'concurrency'
    run scan --per-host -1 127.0.0.1; expect_code 3; expect_err_line 'per-host'
    run scan --retries 99 127.0.0.1; expect_code 3; expect_err_line 'retries' ;;
  v4-and-v6) run scan -4 -6 127.0.0.1; expect_code 3; expect_err_line 'excludes' ;;
  more-bad-inputs)
    run scan mail.contoso.test:65536; expect_code 3; expect_err_line "bad port '65536'"
    run scan ""; expect_code 3; expect_err_line 'empty target'
    run scan --targets "$work"; expect_code 3; expect_err_line 'is a directory'
    run scan 127.0.0.1 -o "$work/no/such/folder/report.txt"; expect_code 3; expect_err_line 'cannot write'
    run scan 127.0.0.1 --save-chains /proc/no-such/chains; expect_code 3; expect_err_line 'save-chains'
    run inspect "$certs/mail.contoso.test.pem" --ca-file "$work/none.pem"; expect_code 3; expect_err_line 'cannot read'
    run scan 127.0.0.1 --rate 0; expect_code 3; expect_err_line 'rate'
    run scan 127.0.0.1 --deadline -1; expect_code 3; expect_err_line 'deadline' ;;
  bad-targets-line)
    printf 'mx1.contoso.test\n# comment\n\nmx2.contoso.test fqdn=\n' >"$work/targets.txt"
    run scan --targets "$work/targets.txt"; expect_code 3
    expect_err_line "targets.txt:4: annotation 'fqdn=' has no value" ;;
  bad-targets-stdin)
    printf 'mx1.contoso.test\nsmtp://[::1\n' | "$bin" scan --targets - >"$work/out" 2>"$work/err"; code=$?
    expect_code 3; expect_err_line "<stdin>:2: .*unclosed '\['" ;;
  missing-targets-file) run scan --targets "$work/nope.txt"; expect_code 3; expect_err_line 'nope.txt: No such file' ;;
  refused-port)
    # A loopback port with nothing listening: one jsonl line, connect failure, exit 3.
    port=$(closed_port)
    echo "127.0.0.1:$port fqdn=mail.contoso.test" | "$bin" scan --targets - --connect-timeout 2 --format jsonl >"$work/out" 2>"$work/err"; code=$?
    expect_code 3
    [ "$(wc -l <"$work/out")" -eq 1 ] || fail "expected one jsonl line"
    expect_out '"kind":"connect"'
    expect_out '"expected_fqdn":"mail.contoso.test"' ;;
  output-file)
    port=$(closed_port)
    run scan "127.0.0.1:$port" -o "$work/report.jsonl"; expect_code 3
    [ -s "$work/report.jsonl" ] || fail "no report file"
    [ -z "$(ls "$work" | grep '\.tmp\.')" ] || fail "temporary file left behind" ;;
  demo)
    # The text report of the lab: each SPEC demo condition, a summary, exit code 2 (criticals).
    run demo; expect_code 2
    expect_out '^OK  127\.0\.0\.1:[0-9]+  Default Frontend EX01$'
    expect_out '^CRITICAL  127\.0\.0\.1:[0-9]+  Relay EX02$'
    expect_out '^  starttls-not-offered: the EHLO reply does not list STARTTLS$'
    expect_out 'exchange-default-certificate: .*EX03'
    expect_out '^  not-valid-for-smtp: '
    expect_out '^  certificate-expired: '
    expect_out '^  chain-incomplete: '
    expect_out '12014:no-certificate-for-fqdn'
    expect_out '^Summary: 12 endpoints: 3 ok, 4 warning, 5 critical, 0 unknown\. Exit code 2\.$'
    grep -q "$(printf '\033')" "$work/out" && fail "colour codes in a pipe"
    [ ! -s "$work/err" ] || fail "stderr not empty" ;;
  demo-formats)
    for f in json jsonl csv nagios prometheus junit html; do
      "$bin" demo --format $f >"$work/out" 2>"$work/err"; code=$?
      expect_code 2; [ -s "$work/out" ] || fail "no $f output"
    done ;;
  output-replaced-whole)
    # -o keeps the previous report when a run fails before it starts, and replaces it whole after.
    port=$(closed_port)
    echo "previous report" >"$work/report.txt"
    run scan "127.0.0.1:0" -o "$work/report.txt"; expect_code 3
    [ "$(cat "$work/report.txt")" = "previous report" ] || fail "previous report damaged by a failed run"
    run scan "127.0.0.1:$port" -o "$work/report.txt"; expect_code 3
    grep -q '^UNKNOWN  127.0.0.1' "$work/report.txt" || fail "new report not written"
    grep -q 'previous report' "$work/report.txt" && fail "old content left"
    [ -z "$(ls "$work" | grep '\.tmp\.')" ] || fail "temporary file left behind" ;;
  progress-on-terminal)
    # On a terminal (a pty made by script(1)) with two targets: a progress line on stderr.
    command -v script >/dev/null || fail "script(1) from util-linux is missing"
    port=$(closed_port)
    script -qec "$bin scan 127.0.0.1:$port 127.0.0.2:$port --format jsonl -o $work/r.jsonl" "$work/typescript" >/dev/null 2>&1
    grep -q '2/2 done' "$work/typescript" || fail "no progress line on the terminal: $(cat -v "$work/typescript")"
    script -qec "$bin scan 127.0.0.1:$port 127.0.0.2:$port --quiet --format jsonl -o $work/r.jsonl" "$work/typescript" >/dev/null 2>&1
    grep -q '[0-9]/2 done' "$work/typescript" && fail "progress shown despite --quiet"
    # In a pipe: never.
    run scan "127.0.0.1:$port" "127.0.0.2:$port" --format jsonl
    [ ! -s "$work/err" ] || fail "progress in a pipe" ;;
  color-on-terminal)
    port=$(closed_port)
    script -qec "$bin scan 127.0.0.1:$port" "$work/typescript" >/dev/null 2>&1
    grep -q "$(printf '\033')\[35mUNKNOWN" "$work/typescript" || fail "no colour on a terminal"
    NO_COLOR=1 script -qec "$bin scan 127.0.0.1:$port" "$work/typescript" >/dev/null 2>&1
    grep -q "$(printf '\033')\[35m" "$work/typescript" && fail "colour despite NO_COLOR"
    script -qec "$bin scan 127.0.0.1:$port --no-color" "$work/typescript" >/dev/null 2>&1
    grep -q "$(printf '\033')\[35m" "$work/typescript" && fail "colour despite --no-color"
    true ;;
  json-summary)
    port=$(closed_port)
    run scan "127.0.0.1:$port" --format json; expect_code 3
    [ "$(wc -l <"$work/out")" -eq 1 ] || fail "expected one JSON document"
    expect_out '^\{"results":\[\{"target":"127.0.0.1:'"$port"'"'
    expect_out '"summary":\{"total":1,"ok":0,"warning":0,"critical":0,"unknown":1,"exit_code":3,"tool_version":"[0-9]+\.[0-9]+\.[0-9]+","started_at":"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z","finished_at":"20[0-9]{2}-[^"]*Z","shard":null,"shard_source":null\}'
    expect_out '"started_at":"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}\.[0-9]{3}Z"\}\]' ;;
  missing-ca-file) run scan 127.0.0.1 --ca-file "$work/nope.pem"; expect_code 3; expect_err_line 'nope.pem: cannot read: No such file' ;;
  non-pem-ca-file) run scan 127.0.0.1 --ca-file "$certs/not-a-certificate.txt"; expect_code 3; expect_err_line 'no PEM certificate' ;;
  inspect-pem)
    # Self-signed, for the right name: a warning (exit 1), no smtp part.
    run inspect "$certs/mail.contoso.test.pem" --fqdn mail.contoso.test --format jsonl; expect_code 1
    expect_out '"code":"self-signed","severity":"warning"'
    expect_out '"smtp":null'
    expect_out '"name_match":"san"'
    expect_out '"sha1":"F73E6AD8A62A96B52F7B996AA03B6C2BDF956902"' ;;
  inspect-der-mismatch)
    run inspect "$certs/mail.contoso.test.der" --fqdn smtp.contoso.test --format json; expect_code 2
    expect_out '"code":"name-mismatch","severity":"critical"'
    expect_out '"id":12014,"condition":"no-certificate-for-fqdn"' ;;
  inspect-trusted-anchor)
    # Given as its own anchor, the self-signed certificate verifies; still self-signed (a warning).
    run inspect "$certs/mail.contoso.test.pem" --fqdn autodiscover.contoso.test --ca-file "$certs/mail.contoso.test.pem" --format json
    expect_code 1; expect_out '"trusted":true' ;;
  inspect-require-trusted)
    run inspect "$certs/mail.contoso.test.pem" --fqdn mail.contoso.test --require-trusted --format jsonl; expect_code 2
    expect_out '"code":"self-signed","severity":"critical"' ;;
  inspect-p12)
    run inspect "$certs/mail.contoso.test.p12" --password testpass --fqdn mail.contoso.test --format csv; expect_code 1
    expect_out ',F73E6AD8A62A96B52F7B996AA03B6C2BDF956902,' ;;
  inspect-p12-no-password) run inspect "$certs/mail.contoso.test.p12"; expect_code 3; expect_err_line 'give --password' ;;
  inspect-missing) run inspect "$work/none.pem"; expect_code 3; expect_err_line 'none.pem: No such file' ;;
  inspect-not-a-certificate) run inspect "$certs/not-a-certificate.txt"; expect_code 3; expect_err_line 'not a certificate' ;;
  inspect-text)
    run inspect "$certs/mail.contoso.test.der" --fqdn mail.contoso.test; expect_code 1
    expect_out '^WARNING  .*mail.contoso.test.der$'
    expect_out 'SHA-1    F73E6AD8A62A96B52F7B996AA03B6C2BDF956902' ;;
  inspect-empty) : >"$work/empty.pem"; run inspect "$work/empty.pem"; expect_code 3; expect_err_line 'empty' ;;
  sigint)
    # SIGINT during a scan of silent endpoints: whole lines so far, exit 3 within about a second.
    [ -x "$fleet" ] || fail "no fleet binary"
    exec 4> >("$fleet" --healthy 4 --silent 4 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    "$bin" scan --targets "$work/t.txt" --timeout 30 --format jsonl --concurrency 8 >"$work/out" 2>"$work/err" &
    pid=$!
    sleep 1
    start=$(date +%s%N)
    kill -INT $pid
    wait $pid; code=$?
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    exec 4>&-
    expect_code 3
    [ "$elapsed_ms" -lt 3000 ] || fail "took ${elapsed_ms} ms to stop"
    [ "$(wc -l <"$work/out")" -eq 4 ] || fail "expected the 4 healthy results, whole"
    while read -r line; do case "$line" in '{'*'}') ;; *) fail "a partial line: $line" ;; esac; done <"$work/out"
    grep -q 'interrupted' "$work/err" || fail "no word on stderr" ;;
  sigterm-keeps-previous-report)
    [ -x "$fleet" ] || fail "no fleet binary"
    exec 4> >("$fleet" --healthy 0 --silent 2 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    echo "previous report" >"$work/report.txt"
    "$bin" scan --targets "$work/t.txt" --timeout 30 -o "$work/report.txt" >"$work/out" 2>"$work/err" &
    pid=$!
    sleep 0.5
    kill -TERM $pid
    wait $pid; code=$?
    exec 4>&-
    expect_code 3
    [ "$(cat "$work/report.txt")" = "previous report" ] || fail "the previous report was replaced by a partial one"
    [ -z "$(ls "$work" | grep '\.tmp\.')" ] || fail "temporary file left behind" ;;
  inventory-offline)
    inv="$(cd "$(dirname "$0")/../testdata/inventory" && pwd)"
    run inventory "$inv/receive-connectors.txt" "$inv/certificates.txt" "$inv/send-connectors.txt" "$inv/servers.txt"
    expect_code 2
    expect_out '^OK  Default Frontend EX01  \(receive connector on EX01, .*receive-connectors.txt:19\)$'
    expect_out '^CRITICAL  Partner EX02 '
    expect_out 'fix        New-ExchangeCertificate -DomainName partner.contoso.com -Services SMTP -Server EX02'
    expect_out '^Summary: 13 connectors: '
    run inventory "$inv/receive-connectors-ps7.json" "$inv/certificates-ps5.json" --format jsonl
    expect_code 2
    [ "$(wc -l <"$work/out")" -eq 10 ] || fail "expected one line per receive connector"
    expect_out '^\{"connector":"Default EX01","server":"EX01","kind":"receive","fqdn":"EX01.corp.contoso.com","lookup_key":"EX01.corp.contoso.com","starttls_offered":true,"predicted_thumbprint":"D4E8F1A2B3C4D5E6F708192A3B4C5D6E7F809A1B","predicted_event":null,"rule":"rule 5: ' ;;
  inventory-exports)
    # Export-Clixml, a culture that needs --date-order, certificates alone, as a new user runs them.
    inv="$(cd "$(dirname "$0")/../testdata/inventory" && pwd)"
    run inventory "$inv/receive-connectors.clixml" "$inv/certificates.clixml" "$inv/send-connectors.clixml" "$inv/servers.txt"
    expect_code 2
    expect_out '^OK  Default Frontend EX01  \(receive connector on EX01, .*receive-connectors.clixml:[0-9]+\)$'
    expect_out '^Summary: 13 connectors: '
    au="$inv/certificates-en-AU-ambiguous.txt"
    run inventory "$inv/receive-connectors.txt" "$au"
    expect_code 3
    expect_err_line "certificates-en-AU-ambiguous.txt:11: the date '12/02/2027 9:00:00 am' reads as 2027-12-02 \\(month/day/year\\) or 2027-02-12 \\(day/month/year\\), and no date in the file tells which: give --date-order dmy"
    run inventory "$inv/receive-connectors.txt" "$au" --date-order dmy
    expect_code 2  # Partner EX02 and Webmail Relay EX02 have no certificate in this export
    expect_out '^  predicts   STARTTLS with 5D1E2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B'
    [ ! -s "$work/err" ] || fail "a warning for dates read as the culture writes them: $(cat "$work/err")"
    # Read the wrong way round, a 90-day certificate ends before it begins: said, and the prediction goes on.
    printf 'Thumbprint : 5D1E2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B\nCertificateDomains : {mail.contoso.com}\nServices : SMTP\nNotBefore : 12/01/2026 9:00:00 am\nNotAfter : 11/04/2026 9:00:00 am\n' >"$work/au.txt"
    run inventory "$work/au.txt" --date-order mdy
    grep -q '^starttls-probe: warning: .*au.txt:1: NotBefore (2026-12-01) is not before NotAfter (2026-11-04): the export.s day and month may have been read the wrong way round (--date-order)$' "$work/err" ||
      fail "no warning for NotBefore after NotAfter: $(cat "$work/err")"
    run inventory "$inv/certificates-de-DE.txt" --date-order mdy
    expect_code 3; expect_err_line "certificates-de-DE.txt:[0-9]+: the date '01.03.2027 23:59:59' cannot be read as month/day/year"
    run inventory "$au" --date-order jmd
    expect_code 3; expect_err_line "--date-order"
    run inventory "$inv/certificates.clixml" --format jsonl
    expect_code 2  # EX02's SMTP certificate has expired
    expect_out '"thumbprint":"0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D","server":"EX02.corp.contoso.com","status":"critical"'
    [ "$(wc -l <"$work/out")" -eq 9 ] || fail "expected one line per certificate"
    expect_out '^\{"thumbprint":"3F1A6C0E5D2B4A7980C1D2E3F4A5B6C7D8E9F0A1","server":"EX01.corp.contoso.com","status":"ok","serves":\["mail.contoso.com",'
    run inventory "$inv/console-session.txt"
    expect_code 2; expect_out '^Summary: 13 connectors: ' ;;
  inventory-bad)
    printf 'Name : x\r\nColour : blue\r\n' >"$work/odd.txt"
    run inventory "$work/odd.txt"; expect_code 3; expect_err_line "odd.txt:1: cannot tell what this record is"
    run inventory "$work/missing.txt"; expect_code 3; expect_err_line "missing.txt: cannot read"
    run inventory "$work/odd.txt" --format csv; expect_code 3; expect_err_line "csv" ;;
  scan-inventory)
    # A fleet endpoint, an export naming its certificate (UTF-16LE, CRLF, as Windows PowerShell's
    # `>` writes it) first without SMTP, then with; the two scans diffed.
    [ -x "$fleet" ] || fail "no fleet binary"
    exec 4> >("$fleet" --healthy 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    endpoint=$(head -1 "$work/t.txt" | cut -d' ' -f1)
    run scan "$endpoint" --ca-file "$work/ca.pem" --format jsonl --quiet; expect_code 0
    sha1=$(grep -o '"sha1":"[0-9A-F]*"' "$work/out" | head -1 | cut -d'"' -f4)
    [ ${#sha1} -eq 40 ] || fail "no leaf thumbprint in the first scan"
    export_as() {  # SERVICES
      { printf '\xff\xfe'; printf '\r\n\r\nName          : Lab Frontend\r\nFqdn          : mail.contoso.test\r\nBindings      : {[::]:%s, 0.0.0.0:%s}\r\nAuthMechanism : Tls, Integrated\r\nServer        : LAB01\r\n\r\nThumbprint         : %s\r\nCertificateDomains : {mail.contoso.test}\r\nHasPrivateKey      : True\r\nServices           : %s\r\n\r\n' \
        "${endpoint##*:}" "${endpoint##*:}" "$sha1" "$1" | iconv -f UTF-8 -t UTF-16LE; } >"$work/export.txt"
    }
    export_as "IIS"
    run scan --inventory "$work/export.txt" --server "${endpoint%:*}" --ca-file "$work/ca.pem" --format jsonl --quiet -o "$work/before.jsonl"
    expect_code 2
    grep -q '"code":"not-enabled-for-smtp"' "$work/before.jsonl" || fail "no not-enabled-for-smtp"
    grep -q '"connector":"Lab Frontend"' "$work/before.jsonl" || fail "no connector label"
    grep -q '"inventory":{"connector":"Lab Frontend","server":"LAB01","kind":"receive"' "$work/before.jsonl" || fail "no inventory field"
    grep -q '"tls_certificate_name":"<I>' "$work/before.jsonl" || fail "no TlsCertificateName of the leaf"
    [ "$(wc -l <"$work/before.jsonl")" -eq 1 ] || fail "[::]:port and 0.0.0.0:port are one endpoint"
    export_as "IIS, SMTP"
    run scan --inventory "$work/export.txt" --server "${endpoint%:*}" --ca-file "$work/ca.pem" --format jsonl --quiet -o "$work/after.jsonl"
    expect_code 0
    run inventory "$work/export.txt"; expect_code 0; expect_out "predicts   STARTTLS with $sha1"
    run diff "$work/before.jsonl" "$work/after.jsonl"
    exec 4>&-
    expect_code 0
    expect_out 'status     critical -> ok'
    expect_out 'findings   -not-enabled-for-smtp'
    expect_out '1 changed, 0 unchanged' ;;
  diff-bad)
    echo '{"target": "a:25", "status": "ok"}' >"$work/a.jsonl"
    echo 'not json' >"$work/b.jsonl"
    run diff "$work/a.jsonl" "$work/b.jsonl"; expect_code 3; expect_err_line 'b.jsonl: not JSON'
    run diff "$work/a.jsonl" "$work/a.jsonl"; expect_code 0; expect_out '0 changed, 1 unchanged' ;;
  output-streams)
    # -, /dev/stdout and /dev/fd/1 are standard output: no file named '-', the device links untouched.
    port=$(closed_port)
    for name in - /dev/stdout /dev/fd/1; do
      (cd "$work" && "$bin" scan "127.0.0.1:$port" --connect-timeout 2 --format jsonl -o "$name" >"$work/out" 2>"$work/err"); code=$?
      expect_code 3
      [ "$(wc -l <"$work/out")" -eq 1 ] || fail "-o $name: the report is not on standard output"
    done
    [ ! -e "$work/-" ] || fail "-o - made a file named '-'"
    [ -L /dev/stdout ] || fail "/dev/stdout is no longer a symlink"
    run scan "127.0.0.1:$port" --connect-timeout 2 -o /dev/null; expect_code 3
    [ -c /dev/null ] || fail "/dev/null is no longer a character device"
    [ ! -s "$work/out" ] || fail "the report went to stdout, not /dev/null" ;;
  output-special-files)
    # A FIFO and a character device are written to and never replaced; a symlink is replaced like a
    # file, never written through; temporary names planted as symlinks are never followed.
    port=$(closed_port)
    mkfifo "$work/fifo"
    timeout 20 cat "$work/fifo" >"$work/from-fifo" &  # bounded: a report that never comes ends the wait
    reader=$!
    run scan "127.0.0.1:$port" --connect-timeout 2 --format jsonl -o "$work/fifo"; expect_code 3
    wait $reader
    [ -p "$work/fifo" ] || fail "the FIFO was replaced"
    grep -q '"kind":"connect"' "$work/from-fifo" || fail "the report did not come through the FIFO"
    if [ "$(id -u)" -eq 0 ]; then
      mknod "$work/null" c 1 3
      run scan "127.0.0.1:$port" --connect-timeout 2 -o "$work/null"; expect_code 3
      [ -c "$work/null" ] || fail "a character device was replaced"
    fi
    echo "keep me" >"$work/victim"
    ln -s "$work/victim" "$work/link"
    run scan "127.0.0.1:$port" --connect-timeout 2 --format jsonl -o "$work/link"; expect_code 3
    [ "$(cat "$work/victim")" = "keep me" ] || fail "written through a symlink"
    [ -f "$work/link" ] && [ ! -L "$work/link" ] || fail "the symlink was not replaced by the report"
    # The old temporary name was FILE.tmp.<pid>: plant it for the pids that come next.
    for pid in $(seq $$ $(( $$ + 400 ))); do ln -s "$work/victim" "$work/report.txt.tmp.$pid"; done
    run scan "127.0.0.1:$port" --connect-timeout 2 -o "$work/report.txt"; expect_code 3
    [ "$(cat "$work/victim")" = "keep me" ] || fail "written through a planted temporary symlink"
    grep -q '^UNKNOWN  127.0.0.1' "$work/report.txt" || fail "no report"
    [ "$(stat -c %a "$work/report.txt")" = "$(printf '%o' $(( 0666 & ~$(umask) )))" ] || fail "mode not from the umask" ;;
  output-bad-paths)
    # Each is an input error at once, before the silent endpoint would cost its 20 s timeout.
    [ -x "$fleet" ] || fail "no fleet binary"
    exec 4> >("$fleet" --healthy 0 --silent 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    mkdir "$work/reports"
    for bad in "$work/reports" "$work/reports/" "$work/no/such/dir/r.txt" /proc/starttls-probe-report.txt; do
      start=$(date +%s)
      run scan --targets "$work/t.txt" --timeout 20 -o "$bad"; expect_code 3
      [ $(( $(date +%s) - start )) -lt 10 ] || fail "-o $bad: the error came after the scan"
      case $bad in
        "$work/reports"*) expect_err_line 'is a directory' ;;
        *) expect_err_line 'cannot write' ;;
      esac
    done
    exec 4>&-
    [ -z "$(ls "$work" | grep '\.tmp\.')" ] || fail "a temporary file was left beside the directory" ;;
  save-chains-failures)
    # Two connectors on one address, a host name too long for a file name, a planted symlink at the
    # old temporary name: each endpoint is reported, the scan goes on, nothing is written through.
    [ -x "$fleet" ] || fail "no fleet binary"
    exec 4> >("$fleet" --healthy 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    endpoint=$(head -1 "$work/t.txt" | cut -d' ' -f1)
    port=${endpoint##*:}
    address=${endpoint%:*}
    long=$(printf 'a%.0s' $(seq 63)).$(printf 'b%.0s' $(seq 63)).$(printf 'c%.0s' $(seq 63)).$(printf 'd%.0s' $(seq 61))
    mkdir "$work/chains"
    echo "keep me" >"$work/victim"
    ln -s "$work/victim" "$work/chains/${address}_$port.pem.tmp"
    run scan "$endpoint" "$endpoint" "$long:$port" --resolve "$long:$address" --fqdn mail.contoso.test \
      --ca-file "$work/ca.pem" --save-chains "$work/chains" --format jsonl --quiet
    exec 4>&-
    [ "$(wc -l <"$work/out")" -eq 3 ] || fail "expected three results"
    [ "$(grep -c '"code":"save-failed","severity":"warning"' "$work/out")" -eq 1 ] || fail "expected one save-failed"
    grep '"code":"save-failed"' "$work/out" | grep -q 'File name too long' || fail "save-failed does not say why"
    expect_code 1
    [ "$(cat "$work/victim")" = "keep me" ] || fail "written through a planted symlink"
    grep -q 'BEGIN CERTIFICATE' "$work/chains/${address}_$port.pem" || fail "the chain was not saved"
    [ -z "$(ls "$work/chains" | grep -v '\.pem\.tmp$' | grep '\.tmp')" ] || fail "temporary files left" ;;
  bounded-inputs)
    # Files are read with hard caps, whatever stat() says; a missing --ca-path is an error like --ca-file.
    run inspect /dev/zero; expect_code 3; expect_err_line '/dev/zero: larger than 16 MiB'
    run inventory /dev/zero; expect_code 3; expect_err_line '/dev/zero: cannot read the export: larger than 64 MiB'
    run diff /dev/zero /dev/zero; expect_code 3; expect_err_line '/dev/zero:1: a line over 16 MiB'
    run scan 127.0.0.1 --ca-file /dev/zero; expect_code 3; expect_err_line '/dev/zero: cannot read: larger than 64 MiB'
    run scan 127.0.0.1 --ca-path "$work/nope"; expect_code 3; expect_err_line 'nope: not a directory'
    run inspect "$certs/mail.contoso.test.pem" --ca-path "$work/nope"; expect_code 3; expect_err_line 'nope: not a directory' ;;
  repeatable-options)
    # An option that takes one value per use leaves the targets after it alone.
    port=$(closed_port)
    run scan a.contoso.test:$port --resolve a.contoso.test:127.0.0.1 b.contoso.test:$port \
      --resolve b.contoso.test:127.0.0.2,127.0.0.3 --connect-timeout 2 --retries 0 --format jsonl
    expect_code 3
    [ "$(wc -l <"$work/out")" -eq 2 ] || fail "expected two results"
    expect_out '"target":"b.contoso.test:'"$port"'"'
    expect_out '127.0.0.3'
    printf 'Name : X\r\nBindings : {127.0.0.1:%s}\r\nAuthMechanism : Tls\r\nServer : EX09\r\n' "$port" >"$work/export.txt"
    run scan --inventory "$work/export.txt" a.contoso.test:$port --resolve a.contoso.test:127.0.0.1 \
      --connect-timeout 2 --retries 0 --format jsonl
    [ "$(wc -l <"$work/out")" -eq 2 ] || fail "--inventory swallowed the target after it" ;;
  dns-silent-server)
    # Two names whose DNS server never answers and three in /etc/hosts, on one event loop: the
    # silent ones are dns-failed after --timeout; the others are looked up at once and never fail
    # for their sake (here they reach a closed port: connect-failed). In a mount and network
    # namespace of its own (root only): its own resolv.conf, hosts file and silent server on 127.0.0.1:53.
    [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || { echo "skipped: needs root and unshare"; exit 77; }
    [ -x "$fleet" ] || fail "no fleet binary"
    port=$(closed_port)
    printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$work/resolv.conf"
    printf '127.0.0.1 localhost\n127.0.0.1 good1.contoso.test good2.contoso.test good3.contoso.test\n' >"$work/hosts"
    unshare -m -n bash -c '
      ip link set lo up || exit 3
      mount --bind "$1/resolv.conf" /etc/resolv.conf && mount --bind "$1/hosts" /etc/hosts || exit 3
      exec 4> >("$2" --healthy 0 --silent-dns 127.0.0.1 --targets-file "$1/t.txt" --ca-file "$1/ca.pem" --seconds 60 >"$1/fleet.out")
      for _ in $(seq 50); do grep -q ready "$1/fleet.out" 2>/dev/null && break; sleep 0.1; done
      "$3" scan silent1.contoso.test:$4 silent2.contoso.test:$4 good1.contoso.test:$4 good2.contoso.test:$4 \
        good3.contoso.test:$4 --threads 1 --timeout 3 --connect-timeout 2 --retries 0 --format jsonl --quiet
    ' _ "$work" "$fleet" "$bin" "$port" >"$work/out" 2>"$work/err"; code=$?
    expect_code 3
    [ "$(wc -l <"$work/out")" -eq 5 ] || fail "expected five results"
    [ "$(grep '"host":"silent' "$work/out" | grep -c '"code":"dns-failed"')" -eq 2 ] || fail "the silent names are not dns-failed"
    grep '"host":"silent' "$work/out" | grep -q 'timed out' || fail "dns-failed does not say timed out"
    [ "$(grep '"host":"good' "$work/out" | grep -c '"code":"connect-failed"')" -eq 3 ] || fail "a good name failed for the silent ones" ;;
  mail-domains)
    # mx: targets end to end: a fleet endpoint (mail.contoso.test), zones signed now and served by
    # nsd on loopback, every MX host's port 25 sent to the endpoint with --connect-to.
    [ -x "$fleet" ] || fail "no fleet binary"
    serve="$(dirname "$0")/dns/serve-zones.sh"
    exec 4> >("$fleet" --healthy 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    endpoint=$(head -1 "$work/t.txt" | cut -d' ' -f1)
    run scan "$endpoint" --ca-file "$work/ca.pem" --format jsonl --quiet --save-chains "$work/chains"; expect_code 0
    leaf=$(grep -o '"sha256":"[0-9a-f]*"' "$work/out" | head -1 | cut -d'"' -f4)
    [ ${#leaf} -eq 64 ] || fail "no leaf SHA-256 in the first scan"
    mkdir -p "$work/dns"
    printf 'contoso.test signed\nbad.test signed\nnone.test signed\n' >"$work/dns/zones.list"
    zone() { printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n%b' "$1" "$2" >"$work/dns/$1.zone"; }
    zone contoso.test "@ MX 10 mail\nmail A 127.0.0.1\n_25._tcp.mail TLSA 3 0 1 $leaf\n"
    zone bad.test "@ MX 10 mx\nmx A 127.0.0.1\n_25._tcp.mx TLSA 3 0 1 $(printf '%064d' 0)\n"
    zone none.test "@ MX 0 .\n"
    trap '"$serve" --stop "$work/dns"; rm -rf "$work"' EXIT
    dnsport=$("$serve" "$work/dns") || fail "the test DNS server did not start"
    dns=(--dns-server "127.0.0.1:$dnsport" --dnssec-anchor "$work/dns/anchors" --connect-to "::${endpoint%:*}:${endpoint##*:}"
         --ca-file "$work/ca.pem" --quiet)
    run scan mx:contoso.test "${dns[@]}"; expect_code 0
    expect_out '^OK  mx:contoso.test MX mail.contoso.test$'
    expect_out '^  Domain     contoso.test: MX preference 10, MX records DNSSEC secure$'
    expect_out '^  DANE       match \(_25._tcp.mail.contoso.test, DNSSEC secure\): DANE-EE 3 0 1 '
    printf 'mx:bad.test connector="Partner relay"\nmx:none.test\n' >"$work/domains.txt"
    run scan --targets "$work/domains.txt" "${dns[@]}" --format jsonl; expect_code 2
    grep '"domain":"bad.test"' "$work/out" | grep '"connector":"Partner relay"' | grep '"mx_preference":10' |
      grep -q '"code":"dane-mismatch"' || fail "mx:bad.test is not a dane-mismatch with its connector and preference"
    grep '"domain":"none.test"' "$work/out" | grep '"mx_preference":null' | grep -q '"code":"null-mx"' || fail "no null-mx"
    # A new certificate checked against the published records before it is installed.
    pem=$(ls "$work"/chains/*.pem)
    run inspect "$pem" --fqdn mail.contoso.test --dane --dns-server "127.0.0.1:$dnsport" --dnssec-anchor "$work/dns/anchors" \
      --ca-file "$work/ca.pem"; expect_code 0; expect_out '^  DANE       match '
    run inspect "$pem" --fqdn mx.bad.test --dane --dns-server "127.0.0.1:$dnsport" --dnssec-anchor "$work/dns/anchors" \
      --ca-file "$work/ca.pem" --format jsonl; expect_code 2
    expect_out '"code":"dane-mismatch".*_25._tcp.mx.bad.test. IN TLSA 3 1 1 [0-9a-f]{64}'
    # Bad input: one line, exit 3; a DNS server that does not answer: an unknown result that says so.
    run scan mx:; expect_code 3; expect_err_line 'mx: takes a mail domain'
    run scan mx:contoso.test:25; expect_code 3; expect_err_line 'no port'
    run scan mx:contoso.test --dnssec-anchor "$work/none.key"; expect_code 3; expect_err_line 'dnssec-anchor .*cannot read it'
    run scan mx:contoso.test --dnssec-anchor "$work/t.txt"; expect_code 3; expect_err_line 'holds no DS or DNSKEY record'
    run scan mx:contoso.test --dns-server 127.0.0.1:99999; expect_code 3; expect_err_line 'not an address with an optional port'
    run inspect "$pem" --dane; expect_code 3; expect_err_line '--dane needs --fqdn'
    run scan mx:contoso.test --dns-server "127.0.0.1:$(closed_port)" --timeout 1 --format jsonl --quiet; expect_code 3
    expect_out '"code":"dns-failed","severity":"unknown","message":"the DNS lookup of contoso.test timed out"' ;;
  mail-policies)
    # MTA-STS and TLS-RPT end to end: the fleet's endpoint (mail.contoso.test) as every domain's MX,
    # its policy sites (certificates from the lab CA) reached with --connect-to, zones served by nsd.
    [ -x "$fleet" ] || fail "no fleet binary"
    serve="$(dirname "$0")/dns/serve-zones.sh"
    printf 'version: STSv1\nmode: enforce\nmx: mail.contoso.test\nmax_age: 604800\n' >"$work/enforce.txt"
    printf 'version: STSv1\nmode: testing\nmx: *.other.test\nmax_age: 86400\n' >"$work/testing.txt"
    printf 'version: STSv1\nmode: enforce\nmx: *.other.test\nmax_age: 86400\n' >"$work/unlisted.txt"
    exec 4> >("$fleet" --healthy 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" --seconds 60 \
      --policy-site "mta-sts.good.sts.test=policy=$work/enforce.txt" \
      --policy-site "mta-sts.testing.sts.test=policy=$work/testing.txt" \
      --policy-site "mta-sts.unlisted.sts.test=policy=$work/unlisted.txt" \
      --policy-site "mta-sts.notfound.sts.test=not-found" >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    endpoint=$(head -1 "$work/t.txt" | cut -d' ' -f1)
    to=(--connect-to "::${endpoint%:*}:${endpoint##*:}")
    while read -r _ host port; do to=(--connect-to "$host:443:127.0.0.1:$port" "${to[@]}"); done < <(grep '^policy-site ' "$work/fleet.out")
    [ ${#to[@]} -eq 10 ] || fail "the fleet did not report its four policy sites"
    mkdir -p "$work/dns"
    printf 'contoso.test signed\nsts.test unsigned\n' >"$work/dns/zones.list"
    zone() { printf '$ORIGIN %s.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n%b' "$1" "$2" >"$work/dns/$1.zone"; }
    zone contoso.test "mail A 127.0.0.1\n"
    records=""
    for d in good testing unlisted notfound; do
      records+="$d MX 10 mail.contoso.test.\n_mta-sts.$d TXT \"v=STSv1; id=20261129\"\n"
    done
    zone sts.test "${records}_smtp._tls.good TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@good.sts.test\"\n"
    trap '"$serve" --stop "$work/dns"; rm -rf "$work"' EXIT
    dnsport=$("$serve" "$work/dns") || fail "the test DNS server did not start"
    opts=(--dns-server "127.0.0.1:$dnsport" --dnssec-anchor "$work/dns/anchors" "${to[@]}" --ca-file "$work/ca.pem" --quiet)
    run scan mx:good.sts.test "${opts[@]}"; expect_code 0
    expect_out '^  MTA-STS    mode enforce, id 20261129, mx mail.contoso.test, max_age 604800; this MX is listed, its certificate passes$'
    expect_out '^  TLS-RPT    mailto:tlsrpt@good.sts.test$'
    run scan mx:testing.sts.test "${opts[@]}" --format jsonl; expect_code 1
    expect_out '"code":"mta-sts-mx-not-listed","severity":"warning"'
    expect_out '"code":"tls-rpt-missing","severity":"info"'
    expect_out '"mta_sts":\{"policy_id":"20261129","mode":"testing","mx_patterns":\["\*.other.test"\],"max_age":86400,"mx_listed":false,"certificate_ok":true,"error":null\}'
    run scan mx:unlisted.sts.test "${opts[@]}" --format nagios; expect_code 2
    expect_out 'mta-sts-mx-not-listed'
    run scan mx:notfound.sts.test "${opts[@]}" --format jsonl; expect_code 1
    expect_out '"code":"mta-sts-policy-error","severity":"warning","message":"notfound.sts.test announces an MTA-STS policy that cannot be had: https://mta-sts.notfound.sts.test/.well-known/mta-sts.txt answered HTTP 404, not 200"'
    run scan mx:unlisted.sts.test "${opts[@]}" --no-mta-sts --format jsonl; expect_code 0
    expect_out '"mta_sts":null' ;;
  check-plugin)
    # starttls-probe check / check_starttls by the Monitoring Plugins guidelines, against the fleet's
    # healthy, silent and closed endpoints; the watchdog of -t against a slow name, then a silent host.
    [ -x "$fleet" ] || fail "no fleet binary"
    exec 4> >("$fleet" --healthy 1 --silent 1 --closed 1 --targets-file "$work/t.txt" --ca-file "$work/ca.pem" \
      --seconds 60 >"$work/fleet.out")
    for _ in $(seq 50); do grep -q ready "$work/fleet.out" 2>/dev/null && break; sleep 0.1; done
    good=$(grep -m1 'mail.contoso.test' "$work/t.txt" | cut -d' ' -f1)
    silent=$(grep -m1 'silent.contoso.test' "$work/t.txt" | cut -d' ' -f1)
    ln -s "$bin" "$work/check_starttls"
    perf='\| days_left=[0-9]+;30:;7: time=[0-9]+\.[0-9]{3}s;;;0$'
    run check -H "${good%:*}" -p "${good##*:}" --fqdn mail.contoso.test --ca-file "$work/ca.pem"; expect_code 0
    expect_out "^STARTTLS OK - ${good}: STARTTLS and certificate as they should be $perf"
    [ ! -s "$work/err" ] || fail "noise on stderr"
    # The same through the symlink, and the thresholds in the perfdata's range syntax.
    "$work/check_starttls" -H "${good%:*}" -p "${good##*:}" --fqdn mail.contoso.test --ca-file "$work/ca.pem" \
      -w 5000 -c 10 >"$work/out" 2>"$work/err"; code=$?; expect_code 1
    expect_out '^STARTTLS WARNING - .*certificate-expires-soon: .*\| days_left=[0-9]+;5000:;10: time='
    "$work/check_starttls" -H "${good%:*}" -p "${good##*:}" --fqdn mail.contoso.test --ca-file "$work/ca.pem" \
      -w 6000 -c 5000 >"$work/out" 2>"$work/err"; code=$?; expect_code 2
    expect_out '^STARTTLS CRITICAL - .*certificate-expires-soon'
    run check -H "${good%:*}" -p "${good##*:}" --fqdn other.contoso.test --ca-file "$work/ca.pem"; expect_code 2
    expect_out '^STARTTLS CRITICAL - .*name-mismatch'
    # Errors outside the plugin are CRITICAL: refused, silent (within -t), a name that does not exist.
    run check -H 127.1.0.3 -p 9; expect_code 2
    expect_out '^STARTTLS CRITICAL - 127\.1\.0\.3:9: connect-failed: '
    start=$(date +%s%N)
    run check -H "${silent%:*}" -p "${silent##*:}" -t 2; expect_code 2
    took=$((($(date +%s%N) - start) / 1000000))
    expect_out '^STARTTLS CRITICAL - .*timeout: the whole probe took longer than -t \(phase deadline, in greeting\)'
    [ "$took" -lt 3500 ] || fail "-t 2 took $took ms"
    run check -H no-such-host.invalid; expect_code 2
    expect_out '^STARTTLS CRITICAL - no-such-host\.invalid:25: dns-failed: '
    # Usage errors are UNKNOWN, with the status line on stdout; so are --help and -V.
    run check -p 25; expect_code 3; expect_out '^STARTTLS UNKNOWN - --hostname is required'
    "$work/check_starttls" -H 'mail.contoso.test:25' >"$work/out" 2>"$work/err"; code=$?; expect_code 3
    expect_out '^STARTTLS UNKNOWN - -H .*the port goes in -p'
    run check -H x.test -w 3 -c 10; expect_code 3; expect_out '^STARTTLS UNKNOWN - -w 3 is below -c 10'
    run check -H x.test -t 0; expect_code 3; expect_out '^STARTTLS UNKNOWN - '
    "$work/check_starttls" -V >"$work/out" 2>"$work/err"; code=$?; expect_code 3; expect_out '^check_starttls \(starttls-probe\) [0-9]'
    "$work/check_starttls" --help >"$work/out" 2>"$work/err"; code=$?; expect_code 3; expect_out '-H,--hostname'; expect_out '-w,--warn-days'
    # The watchdog: a name answered after 300 ms, then a host that never speaks, under -t 1.
    serve="$(dirname "$0")/dns/serve-zones.sh"
    mkdir -p "$work/dns"
    printf 'slow.test unsigned\n' >"$work/dns/zones.list"
    printf '$ORIGIN slow.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\nmx A %s\n' \
      "${silent%:*}" >"$work/dns/slow.test.zone"
    trap '"$serve" --stop "$work/dns"; rm -rf "$work"' EXIT
    nsdport=$("$serve" "$work/dns") || fail "the test DNS server did not start"
    exec 5> >("$fleet" --healthy 0 --targets-file "$work/none.txt" --ca-file "$work/none.pem" --seconds 60 \
      --dns-upstream "127.0.0.1:$nsdport" --dns-delay-ms 300 >"$work/proxy.out")
    for _ in $(seq 50); do grep -q ready "$work/proxy.out" 2>/dev/null && break; sleep 0.1; done
    dnsport=$(head -1 "$work/proxy.out" | awk '{print $NF}')
    start=$(date +%s%N)
    run check -H mx.slow.test -p "${silent##*:}" -t 1 --dns-server "127.0.0.1:$dnsport" --dnssec-anchor none
    took=$((($(date +%s%N) - start) / 1000000))
    expect_code 2
    expect_out '^STARTTLS CRITICAL - mx\.slow\.test:[0-9]+: no result within the 1 s of -t$'
    [ "$took" -lt 2500 ] || fail "-t 1 took $took ms" ;;
  serve-usage)
    # serve's input errors: one line, exit 3, before it listens.
    run serve --listen nowhere; expect_code 3; expect_err_line "--listen 'nowhere': expected ADDR:PORT"
    run serve --listen 127.0.0.1:99999; expect_code 3; expect_err_line "--listen '127.0.0.1:99999'"
    run serve --max-concurrent 0; expect_code 3; expect_err_line 'max-concurrent'
    # A port another program holds: said, exit 3.
    "$bin" serve --listen 127.0.0.1:0 >"$work/first.out" 2>&1 &
    first=$!
    for _ in $(seq 50); do grep -q listening "$work/first.out" 2>/dev/null && break; sleep 0.1; done
    taken=$(grep -o '127\.0\.0\.1:[0-9]*' "$work/first.out" | head -1)
    [ -n "$taken" ] || fail "the first serve did not start"
    run serve --listen "$taken"; expect_code 3; expect_err_line "--listen $taken: Address already in use"
    kill -TERM "$first"; wait "$first" || fail "serve exited $? after SIGTERM" ;;
  shard-auto)
    # --shard auto in a Kubernetes Indexed Job: K from JOB_COMPLETION_INDEX, N from STARTTLS_PROBE_SHARDS.
    port=$(closed_port)
    for i in 0 1 2 3 4 5; do echo "127.0.0.$((i + 1)):$port"; done >"$work/t.txt"
    JOB_COMPLETION_INDEX=1 STARTTLS_PROBE_SHARDS=3 "$bin" scan --targets "$work/t.txt" --shard auto --retries 0 \
      --connect-timeout 2 --format jsonl >"$work/out" 2>"$work/err"; code=$?; expect_code 3
    [ "$(wc -l <"$work/out")" -eq 2 ] || fail "shard 1/3 of six targets is not two results"
    expect_out '^\{"target":"127\.0\.0\.2:'
    expect_out '^\{"target":"127\.0\.0\.5:'
    [ "$(grep -c '"shard":"1/3"' "$work/out")" -eq 2 ] || fail "the results do not say their shard"
    JOB_COMPLETION_INDEX=2 STARTTLS_PROBE_SHARDS=3 "$bin" scan --targets "$work/t.txt" --shard auto --retries 0 \
      --connect-timeout 2 --format json >"$work/out" 2>"$work/err"; code=$?; expect_code 3
    expect_out '"shard":"2/3","shard_source":"JOB_COMPLETION_INDEX"\}'
    run scan --targets "$work/t.txt" --shard 0/2 --retries 0 --format json; expect_code 3
    expect_out '"shard":"0/2","shard_source":null\}'
    unset JOB_COMPLETION_INDEX STARTTLS_PROBE_SHARDS
    run scan --targets "$work/t.txt" --shard auto; expect_code 3; expect_err_line '--shard auto: JOB_COMPLETION_INDEX is not set'
    JOB_COMPLETION_INDEX=0 run scan --targets "$work/t.txt" --shard auto; expect_code 3
    expect_err_line '--shard auto: STARTTLS_PROBE_SHARDS is not set'
    JOB_COMPLETION_INDEX=3 STARTTLS_PROBE_SHARDS=3 run scan --targets "$work/t.txt" --shard auto; expect_code 3
    expect_err_line "--shard auto: JOB_COMPLETION_INDEX/STARTTLS_PROBE_SHARDS make '3/3', not K/N" ;;
  man-page)
    # The man page names every option of every command, and renders without a warning.
    page="$(dirname "$0")/../docs/starttls-probe.1"
    for command in scan check serve inspect inventory diff demo; do
      "$bin" $command --help >"$work/help" 2>&1
      for option in $(grep -Eo -- '(^|[ ,])--[a-z0-9-]+' "$work/help" | grep -Eo -- '--[a-z0-9-]+' | sort -u); do
        [ "$option" = --help ] && continue
        grep -qF -- "$(echo "$option" | sed 's/-/\\-/g')" "$page" || fail "the man page lacks $command $option"
      done
    done
    if command -v groff >/dev/null; then
      LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>"$work/err" || fail "groff failed"
      [ ! -s "$work/err" ] || fail "groff warns: $(cat "$work/err")"
    fi ;;
  bash-completion)
    # The completion offers every option of every command, the commands, and the formats.
    completion="$(dirname "$0")/../packaging/bash-completion/starttls-probe"
    complete_words() {
      bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _starttls_probe; echo "${COMPREPLY[*]}"' \
        _ "$completion" "$@"
    }
    for command in scan check serve inspect inventory diff demo; do
      offered=" $(complete_words starttls-probe "$command" -) "
      "$bin" $command --help >"$work/help" 2>&1
      for option in $(grep -Eo -- '(^|[ ,])--?[a-zA-Z0-9][a-z0-9-]*' "$work/help" | grep -Eo -- '--?[a-zA-Z0-9][a-z0-9-]*' | sort -u); do
        [ "$option" = -h ] && continue
        [[ "$offered" == *" $option "* ]] || fail "completion of '$command' lacks $option"
      done
    done
    [ "$(complete_words starttls-probe sc)" = scan ] || fail "'sc' does not complete to scan"
    [ "$(complete_words starttls-probe scan --format ju)" = junit ] || fail "--format ju does not complete"
    [ "$(complete_words check_starttls --hostn)" = --hostname ] || fail "check_starttls --hostn does not complete" ;;
  closed-stdout)
    port=$(closed_port)
    for i in $(seq 3000); do echo "127.0.0.1:$port"; done >"$work/t.txt"
    "$bin" scan --targets "$work/t.txt" --retries 0 --format jsonl 2>"$work/err" | head -1 >"$work/out"
    [ "$(wc -l <"$work/out")" -eq 1 ] || fail "head saw no line"
    [ ! -s "$work/err" ] || fail "noise on stderr after the reader left: $(cat "$work/err")" ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
echo "ok [$case_name]"
