#!/usr/bin/env bash
# Renders a sipf4j report.html in headless Chromium, as a person would open it, and fails when the page has a script
# error or a chart without data. The report's own script marks <body data-report-check="ok:N"> when every one of
# its N charts holds data, "empty:ID,..." otherwise; a page that never runs it fails too.
#
#   scripts/check_report.sh RUN_DIR/report.html [--screenshot OUT.png] [--size 1280,2400]
#
# Needs chromium (Debian: apt-get install chromium); CHROMIUM=/path/to/chrome picks another binary.
# Exit status: 0 when the page is clean, 1 when it is not, 2 on a usage error.
set -euo pipefail

usage() { echo "usage: $0 REPORT.html [--screenshot OUT.png] [--size W,H]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
report=$1; shift
screenshot=""
size="1280,2400"
while [[ $# -gt 0 ]]; do
  case $1 in
    --screenshot) [[ $# -ge 2 ]] || usage; screenshot=$2; shift 2 ;;
    --size) [[ $# -ge 2 ]] || usage; size=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ -f $report ]] || { echo "check_report: no such file: $report" >&2; exit 2; }
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[[ -n $browser ]] || { echo "check_report: chromium not found (apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }

url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --virtual-time-budget=5000)

timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$work/dom.html" 2>"$work/console.log" || {
  echo "check_report: chromium failed on $report:" >&2; tail -5 "$work/console.log" >&2; exit 1; }

status=0
# Console messages from the page, such as: INFO:CONSOLE(12)] "Uncaught TypeError: ...", source: file:///...
if grep -E 'CONSOLE[^]]*\]' "$work/console.log" | grep -Eiq 'uncaught|error'; then
  echo "check_report: script errors in $report:" >&2
  grep -E 'CONSOLE[^]]*\]' "$work/console.log" | grep -Ei 'uncaught|error' >&2
  status=1
fi
marker=$(grep -o 'data-report-check="[^"]*"' "$work/dom.html" | head -1 | sed 's/.*="\(.*\)"/\1/' || true)
case $marker in
  ok:*) echo "check_report: $report: no script errors, ${marker#ok:} charts, none empty" ;;
  empty:*) echo "check_report: charts without data in $report: ${marker#empty:}" >&2; status=1 ;;
  *) echo "check_report: the page's check did not run in $report (no data-report-check mark)" >&2; status=1 ;;
esac
if [[ -n $screenshot ]]; then
  timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size="$size" --screenshot="$screenshot" "$url" \
    >/dev/null 2>&1 || { echo "check_report: screenshot failed" >&2; status=1; }
  [[ -s $screenshot ]] && echo "check_report: screenshot $screenshot"
fi
exit $status
