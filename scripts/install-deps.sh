#!/usr/bin/env bash
# Installs the Debian 12 packages vipcare builds and tests with, if any is
# missing. Needs root (or sudo). Never installs libboost-all-dev: it would pull
# Boost 1.74 headers that conflict with libboost1.81-dev.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates tzdata
  libboost1.81-dev libsqlite3-dev sqlite3 libpq-dev postgresql
  libsodium-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libcli11-dev libtoml11-dev
  libhowardhinnant-date-dev libcsv-dev liblunar-date-dev libglib2.0-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev
  # the server's allocator (TCMalloc, from gperftools)
  libgoogle-perftools-dev
  # report exports as XLSX
  libxlsxwriter-dev
  # a real SMTP server for the e-mail sender's tests (python3 -m aiosmtpd)
  python3-aiosmtpd
)
# Node.js and npm build the web UI and lint the OpenAPI document; a machine
# that already has a newer Node.js keeps it.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# The browser tests of the web UI drive Debian's Chromium (never a downloaded
# browser); a CJK font makes their screenshots of the Chinese UI legible.
packages+=(chromium fonts-noto-cjk)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
