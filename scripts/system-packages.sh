#!/usr/bin/env bash
# Debian packages Veille needs beyond PyPI: npm (make install copies the dashboard's JavaScript
# libraries from npm packages), a PostgreSQL server (the store tests run on both backends) and
# Chromium (the dashboard's browser tests; Playwright drives /usr/bin/chromium, no browser
# download). Installs only what is missing; needs root or sudo for apt-get.
set -euo pipefail

missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "warning: cannot install ${missing[*]} (needs root); their tests will be skipped" >&2
    exit 0
fi
echo "installing Debian packages: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
