#!/usr/bin/env bash
# Installs Debian's chromium, the headless browser the studio's browser test
# (studio/browser_test.go) drives. Run it before `go test`; it does nothing
# when a chromium binary is already on PATH. Needs root or sudo to install.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null || command -v chromium)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "chromium is missing and this user cannot install packages; install Debian's chromium package" >&2
  exit 1
fi
echo "installing chromium from Debian (a minute or two)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
