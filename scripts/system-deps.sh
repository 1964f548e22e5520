#!/usr/bin/env bash
# Install the Debian packages zcf needs, only those that are missing.
#   libpango-1.0-0 libpangoft2-1.0-0  weasyprint cannot be imported without them
#   libharfbuzz-subset0               fast font subsetting for PDFs (seconds per CJK report)
#   fonts-wqy-microhei                a CJK font so Chinese renders as glyphs, not boxes
#   poppler-utils                     pdftotext / pdffonts / pdftoppm used by the tests
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei poppler-utils)

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "zcf: these system packages are missing and apt-get is not available: ${missing[*]}" >&2
    echo "zcf: install them with your system's package manager, then re-run." >&2
    exit 1
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "zcf: need root to install: ${missing[*]}" >&2; exit 1
    fi
fi

echo "zcf: installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
    # A fresh machine may have empty package lists.
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
