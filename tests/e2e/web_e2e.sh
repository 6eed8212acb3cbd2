#!/usr/bin/env bash
# The web dashboard's end-to-end tests (issue 4), as ctest runs them:
#   web_e2e.sh RMIS_BINARY SOURCE_DIR SCREENSHOT_DIR
# Installs the npm packages if they are missing (npm ci), builds web/ if its
# sources are newer than web/dist, loads the UN-Habitat 2021 sample into a
# temporary SQLite store with two accounts, serves it with the dashboard on a
# free port, runs web/e2e/run.mjs in Debian's Chromium, and stops the server.
# Prints "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

rmis=$(realpath "$1")
source_dir=$(realpath "$2")
screenshots=$3
web="$source_dir/web"
chromium=${RMIS_CHROMIUM:-/usr/bin/chromium}

fail() {
  echo "web_e2e: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}
command -v node > /dev/null || fail "node is missing (scripts/install-deps.sh installs nodejs and npm)"
command -v npm > /dev/null || fail "npm is missing (scripts/install-deps.sh installs nodejs and npm)"
[ -x "$chromium" ] || fail "$chromium is missing (scripts/install-deps.sh installs chromium)"

cd "$web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "web_e2e: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f dist/index.html ] || [ -n "$(find src index.html package.json vite.config.ts tsconfig.json -newer dist/index.html -print -quit)" ]; then
  echo "web_e2e: npm run build"
  npm run build --silent
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

store="$work/store.db"
"$rmis" init --db "$store" > /dev/null
"$rmis" import --db "$store" "$source_dir/data/samples/unhabitat-2021" > /dev/null
admin_password="e2e-admin-$RANDOM$RANDOM"
viewer_password="e2e-viewer-$RANDOM$RANDOM"
RMIS_PASSWORD="$admin_password" "$rmis" user add e2e-admin --role admin --db "$store" > /dev/null
RMIS_PASSWORD="$viewer_password" "$rmis" user add e2e-viewer --role viewer --db "$store" > /dev/null

# A free port: the system picks one, we release it and hand it to the server.
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
"$rmis" serve --db "$store" --listen "127.0.0.1:$port" --static "$web/dist" > "$work/server.log" 2>&1 &
server_pid=$!
url="http://127.0.0.1:$port/"
node -e "
const deadline = Date.now() + 30000;
(async () => {
  while (Date.now() < deadline) {
    try { if ((await fetch('${url}api/v1/health')).ok) process.exit(0); } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  process.exit(1);
})();" || { cat "$work/server.log" >&2; fail "the server did not start"; }
echo "web_e2e: serving the sample at $url; screenshots go to $screenshots"

mkdir -p "$screenshots"
status=0
RMIS_URL="$url" RMIS_ADMIN="e2e-admin:$admin_password" RMIS_VIEWER="e2e-viewer:$viewer_password" \
  RMIS_SCREENSHOTS="$screenshots" RMIS_CHROMIUM="$chromium" node e2e/run.mjs || status=$?
if [ $status -ne 0 ]; then
  echo "web_e2e: the server's log:" >&2
  tail -n 30 "$work/server.log" >&2 || true
fi
exit $status
