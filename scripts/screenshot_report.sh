#!/usr/bin/env bash
# Renders an analytics HTML report in headless Chromium (Debian's `chromium`, installed here with
# apt-get when missing) and writes a PNG screenshot, to look at what a reader sees.
#   scripts/screenshot_report.sh REPORT.html [OUT.png] [WIDTH] [HEIGHT]
# With no report given, makes one: a --demo emulator, `botops analytics --by version --format html`.
set -euo pipefail
cd "$(dirname "$0")/.."

report=${1:-}
out=${2:-report.png}
width=${3:-1280}
height=${4:-4200}

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (apt-get)..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi

work=$(mktemp -d)
emulator_pid=""
cleanup() {
    [ -n "$emulator_pid" ] && { kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$report" ]; then
    botops=${BOTOPS:-.venv/bin/botops}
    "$botops" emulator --port 0 --demo >"$work/emulator.out" 2>"$work/emulator.err" &
    emulator_pid=$!
    for _ in $(seq 1 200); do
        grep -q "listening on" "$work/emulator.out" 2>/dev/null && break
        sleep 0.05
    done
    url=$(sed -n 's/^botops emulator listening on //p' "$work/emulator.out")
    [ -n "$url" ] || { echo "the emulator did not start" >&2; cat "$work/emulator.err" >&2; exit 1; }
    report="$work/report.html"
    BOTOPS_BASE_URL="$url" BOTOPS_ACCOUNT_ID=Exotel \
        "$botops" analytics --by version --format html --out "$report"
fi

# No network at all: the page must not need any (the report loads nothing from anywhere).
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --proxy-server="127.0.0.1:9" --proxy-bypass-list="<-loopback>" \
    --window-size="$width,$height" --screenshot="$(realpath -m "$out")" \
    "file://$(realpath "$report")" 2>"$work/chromium.err" || { cat "$work/chromium.err" >&2; exit 1; }
echo "screenshot written to $out" >&2
