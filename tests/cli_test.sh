#!/usr/bin/env bash
# Smoke tests of the starttls-probe binary itself: cli_test.sh BINARY CASE.
# Each case checks exit code, stdout and stderr; it prints what differed and exits 1 on failure.
set -u
bin=$1
case_name=$2
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
  version) run --version; expect_code 0; expect_out '^starttls-probe [0-9]+\.[0-9]+\.[0-9]+$' ;;
  help) run --help; expect_code 0; expect_out 'scan'; expect_out 'demo' ;;
  scan-help) run scan --help; expect_code 0; expect_out '--targets'; expect_out '--timeout'; expect_out '--concurrency' ;;
  no-command) run; expect_code 3; expect_err_line 'subcommand is required' ;;
  unknown-option) run scan --bogus; expect_code 3; expect_err_line 'bogus' ;;
  bad-port) run scan mail.contoso.test:0; expect_code 3; expect_err_line "bad port '0'" ;;
  bad-port-letters) run scan mail.contoso.test:smtp; expect_code 3; expect_err_line 'not a number' ;;
  no-targets) run scan; expect_code 3; expect_err_line 'no targets' ;;
  unknown-format) run scan --format yaml 127.0.0.1; expect_code 3; expect_err_line 'yaml' ;;
  bad-timeout) run scan --timeout 0 127.0.0.1; expect_code 3; expect_err_line 'timeout' ;;
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
    echo "127.0.0.1:$port fqdn=mail.contoso.test" | "$bin" scan --targets - --connect-timeout 2 >"$work/out" 2>"$work/err"; code=$?
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
    run demo
    [ "$(wc -l <"$work/out")" -ge 6 ] || fail "expected a result per demo endpoint"
    expect_out '"connector":"Default Frontend EX01"'
    expect_out '"subject":"CN=EX03"'
    [ "$code" -le 3 ] || fail "exit code $code" ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
echo "ok [$case_name]"
