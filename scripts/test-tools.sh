#!/usr/bin/env bash
# Debian tools the browser and letter tests use (Chromium, poppler's pdftotext/pdftoppm).
# Installed when missing and we may (root with apt-get); otherwise those tests skip with the
# reason printed, so a developer machine without them still runs the rest of the suite.
set -uo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "==> not installing ${missing[*]} (needs root and apt-get); their tests will skip" >&2
  exit 0
fi
echo "==> installing ${missing[*]} for the browser and letter tests (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
  || echo "==> could not install ${missing[*]}; their tests will skip" >&2
exit 0
