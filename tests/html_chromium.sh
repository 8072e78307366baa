#!/usr/bin/env bash
# The html report as a browser shows it: Debian's Chromium, headless, loads the demo's report and a
# report with a connector made of markup, runs the page's script under its own Content-Security-
# Policy, and prints no console message: no error, no refused script, style or request.
# It also takes a screenshot and prints the page to an A4 PDF.
#   html_chromium.sh STARTTLS_PROBE [SCREENSHOT.png]
# Exit 77 (skipped) without chromium.
set -u
bin=$1
keep=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL [html-chromium]: $*"; exit 1; }
browser=$(command -v chromium || command -v chromium-browser) || { echo "chromium not installed: skipped"; exit 77; }

chrome() {  # chrome LOG ARGS...: headless, a profile of its own, console messages logged
  local log=$1
  shift
  HOME="$work" timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
    --enable-logging=stderr --log-level=0 "$@" 2>"$log"
}
quiet() {  # the page said nothing to its console and refused nothing
  if grep -E 'CONSOLE|Refused|Uncaught|Content Security Policy' "$1"; then fail "the browser's console spoke ($1)"; fi
}

"$bin" demo --format html -o "$work/demo.html" >/dev/null 2>&1
[ -s "$work/demo.html" ] || fail "demo --format html wrote nothing"
chrome "$work/dom.log" --dump-dom "file://$work/demo.html" >"$work/dom.html" || fail "chromium --dump-dom failed"
grep -q '<body data-ready="true">' "$work/dom.html" || fail "the page's script did not run (refused by its policy?)"
grep -q 'id="controls">' "$work/dom.html" || fail "the table's controls were not shown"
quiet "$work/dom.log"

chrome "$work/shot.log" --window-size=1280,1000 --screenshot="$work/demo.png" "file://$work/demo.html" >/dev/null ||
  fail "chromium --screenshot failed"
[ "$(head -c 8 "$work/demo.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "no PNG"
quiet "$work/shot.log"
[ -n "$keep" ] && cp "$work/demo.png" "$keep"

chrome "$work/pdf.log" --no-pdf-header-footer --print-to-pdf="$work/demo.pdf" "file://$work/demo.html" >/dev/null ||
  fail "chromium --print-to-pdf failed"
[ "$(head -c 5 "$work/demo.pdf")" = "%PDF-" ] || fail "no PDF"
# A4 is 595 x 842 points (Chromium writes 594.96 x 841.92).
grep -aEq '/MediaBox \[0 0 59[45](\.[0-9]+)? 84[12](\.[0-9]+)?\]' "$work/demo.pdf" ||
  fail "the PDF's pages are not A4: $(grep -ao '/MediaBox [^]]*]' "$work/demo.pdf" | head -1)"
quiet "$work/pdf.log"

# The inventory's and diff's pages: the same page, its script run, nothing said.
here="$(cd "$(dirname "$0")/.." && pwd)"
"$bin" inventory "$here/testdata/inventory/receive-connectors.txt" "$here/testdata/inventory/certificates.txt" \
  --format html -o "$work/inventory.html" >/dev/null 2>&1
"$bin" demo --format jsonl -o "$work/old.jsonl" >/dev/null 2>&1
head -8 "$work/old.jsonl" | sed '0,/"status":"critical"/s//"status":"ok"/' >"$work/new.jsonl"
"$bin" diff "$work/old.jsonl" "$work/new.jsonl" --format html -o "$work/diff.html" >/dev/null 2>&1
for page in inventory diff; do
  chrome "$work/$page.log" --dump-dom "file://$work/$page.html" >"$work/$page-dom.html" || fail "chromium failed on $page"
  grep -q '<body data-ready="true">' "$work/$page-dom.html" || fail "$page: the page's script did not run"
  quiet "$work/$page.log"
done
grep -q 'of 10 connectors, page 1 of 1' "$work/inventory-dom.html" || fail "inventory: the table's rows were not counted"
grep -q 'of 5 changed endpoints' "$work/diff-dom.html" || fail "diff: not the changed endpoints: $(grep -o 'of [0-9]* changed endpoints' "$work/diff-dom.html")"

# A connector made of markup (from a targets file: input the page must not trust either).
printf '%s\n' "127.0.0.1:9 connector=\"\\\"><script>document.body.setAttribute('data-pwned','1')</script><img src=x onerror=alert(1)>\"" \
  >"$work/targets.txt"
"$bin" scan --targets "$work/targets.txt" --retries 0 --format html -o "$work/hostile.html" >/dev/null 2>&1
grep -q 'data-pwned' "$work/hostile.html" || fail "the hostile connector did not reach the page"
chrome "$work/hostile.log" --dump-dom "file://$work/hostile.html" >"$work/hostile-dom.html" || fail "chromium failed"
grep -q '<body data-ready="true">' "$work/hostile-dom.html" || fail "the page's script did not run"
grep -q 'data-pwned="1"' "$work/hostile-dom.html" && fail "the connector's script ran"
grep -q '<img' "$work/hostile-dom.html" && fail "the connector's markup became an element"
quiet "$work/hostile.log"
echo "ok [html-chromium]"
