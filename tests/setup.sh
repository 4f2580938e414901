#!/usr/bin/env bash
# One script behind the README's two commands, for a fresh Debian 12 machine:
#   bash tests/setup.sh demo   install what is missing, build (release), run the demo
#   bash tests/setup.sh test   install what is missing, build (release), run every test
# Idempotent: installs only missing packages, rebuilds only what changed.
# Run as root or as a user with sudo. .ci/run calls `bash tests/setup.sh test`.
set -euo pipefail

mode=${1:-}
case "$mode" in demo|test) ;; *) echo "usage: bash tests/setup.sh demo|test" >&2; exit 64 ;; esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

# Debian 12 packages the build, the tests and the bundled FHIR server need.
packages=(build-essential cmake pkg-config ca-certificates openssl
          libcpprest-dev nlohmann-json3-dev libssl-dev libpoco-dev
          libgtest-dev libgmock-dev libsqlite3-dev libpq-dev)
[ "$mode" = test ] && packages+=(postgresql)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js for the bundled FHIR server: any Node >= 18 already present is kept
# (Medplum 4.5.2 runs on Debian 12's own Node 18); otherwise Debian's nodejs and npm.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The bundled FHIR server's packages, exactly as locked.
server="$root/tests/fhir-server"
if [ -f "$server/package-lock.json" ]; then
  stamp="$server/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$server/package-lock.json" "$stamp"; then
    echo "setup: installing the bundled FHIR server's packages (npm ci)"
    (cd "$server" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$server/package-lock.json" "$stamp"
  fi
fi

cmake --preset release >/dev/null
if [ "$mode" = demo ]; then
  # The demo needs only the executable; the tests build with command 2.
  cmake --build --preset release --target supervision-adapter
else
  cmake --build --preset release
fi

if [ "$mode" = demo ]; then
  exec "$root/build/release/bin/supervision-adapter" demo
else
  exec ctest --preset release
fi
