#!/usr/bin/env bash
# Installs the Debian 12 packages that rmis needs to build, test and run.
# Safe to run again: it installs only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libsqlite3-dev sqlite3
  libexpected-dev libcli11-dev nlohmann-json3-dev libfmt-dev libicu-dev libcsv-dev
  libcpp-httplib-dev libsodium-dev libzip-dev
  libpq-dev postgresql-15
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  libcairo2-dev libpango1.0-dev libharfbuzz-dev libgmime-3.0-dev fonts-noto-core fonts-noto-cjk pandoc poppler-utils unzip
  python3
  time
)
# bench/engines/run.sh (issue 6, run by hand) also uses the sqlite3 shell, PostgreSQL 15's
# server and psql (postgresql-15 above), /usr/bin/time (time) and Node.js (below).
# Hostile input (issue 6): make fuzz builds with clang and links libFuzzer and
# the sanitizers' runtimes (libclang-rt-14-dev); llvm-14 has llvm-symbolizer,
# which names the source lines in a sanitizer's report.
packages+=(clang-14 libclang-rt-14-dev llvm-14)
# The web dashboard (issue 4): Node.js and npm build it, Chromium runs its tests.
# A Node.js installed otherwise (with its own npm) is kept: Debian's are added only
# when there is no npm at all.
packages+=(chromium)
if ! command -v npm > /dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
