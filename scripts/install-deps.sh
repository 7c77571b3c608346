#!/usr/bin/env bash
# Installs every Debian package dwt needs to build, test and benchmark.
# Idempotent: packages already present are not touched and apt is not
# contacted at all when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake make pkg-config git
  libcaf-dev
  liblmdb-dev lmdb-utils
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev
  libtomlplusplus-dev
  libgtest-dev libgmock-dev googletest
  libyaml-cpp-dev
  libbenchmark-dev
  libgoogle-perftools-dev
  curl jq python3
  python3-cryptography python3-oauthlib python3-jwt
  clang-14 libclang-rt-14-dev clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm run the contract tests' OpenAPI tools (tests/contract,
# pinned by its package-lock.json; they need Node.js >= 20.19). A machine may
# have them from elsewhere (NodeSource's nodejs bundles npm): Debian's
# packages are added only when a command is missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
