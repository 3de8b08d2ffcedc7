#!/usr/bin/env bash
# Render the HTML reports of built-in scenarios in headless Chromium and save
# screenshots, to check by eye that the charts are readable (labels, axes,
# legends). Not part of CI: it needs Debian's chromium package
# (apt-get install -y chromium) and runs it as root with --no-sandbox.
#
#   scripts/screenshot-report.sh [OUTDIR] [SCENARIO...]
#
# Writes OUTDIR/sales-day-staff/, OUTDIR/single-queue-sweep/, and
# OUTDIR/<scenario>-compare/ and OUTDIR/<scenario>-simulate/ report
# directories and a screenshot.png in each (default OUTDIR: /tmp/callsim-shots,
# default scenarios: hybrid two-skills).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/callsim-shots}
shift || true
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(hybrid two-skills)
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no chromium: apt-get install -y chromium" >&2; exit 1; }
mkdir -p "$out"
go build -o "$out/callsim" ./cmd/callsim
shot() { # shot DIR HEIGHT
  local profile
  profile=$(mktemp -d)
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --hide-scrollbars --screenshot="$1/screenshot.png" --window-size=1280,"$2" \
    "file://$(realpath "$1")/report.html" 2>/dev/null
  rm -rf "$profile"
  echo "$1/screenshot.png"
}
"$out/callsim" staff sales-day -q --out "$out/sales-day-staff" >/dev/null
shot "$out/sales-day-staff" 2400
"$out/callsim" sweep single-queue -q --set groups.staff.agents=28..40 --with groups.staff.cost.hourly_wage=20 --with costs.per_abandoned_call=5 --out "$out/single-queue-sweep" >/dev/null
shot "$out/single-queue-sweep" 2000
for s in "${scenarios[@]}"; do
  "$out/callsim" compare "$s" -q --out "$out/$s-compare" >/dev/null
  shot "$out/$s-compare" 3000
  "$out/callsim" simulate "$s" -q --out "$out/$s-simulate" >/dev/null
  shot "$out/$s-simulate" 3600
done
