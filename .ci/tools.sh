#!/usr/bin/env bash
# Installs the tools the integration tests run against sharecard, from
# Debian: php-cli and php-intl (the PHP signer, the WordPress plugin),
# WordPress with php-mysql and MariaDB (the plugin inside a real WordPress),
# Node.js (the JavaScript signer), Python 3 (the Python signer), systemd
# (systemd-analyze checks the example unit), libjpeg-turbo-progs (djpeg,
# the reference of the scaled JPEG decoder); and Redocly's CLI from npm
# (the OpenAPI lint). Run it before `go test`; it installs only what is
# missing. Needs root or sudo to install Debian packages.
set -euo pipefail

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
php -m 2>/dev/null | grep -qx intl || missing+=(php-intl)
[ -f /usr/share/wordpress/wp-settings.php ] || missing+=(wordpress)
php -m 2>/dev/null | grep -qx mysqli || missing+=(php-mysql)
command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v djpeg >/dev/null 2>&1 || missing+=(libjpeg-turbo-progs)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "missing ${missing[*]}, and this user cannot install packages; install them from Debian" >&2
    exit 1
  fi
  echo "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v redocly >/dev/null 2>&1; then
  echo "installing @redocly/cli from npm"
  # 2.77.0: later releases need Node 22, Debian 12 has Node 18/20.
  npm install -g --silent @redocly/cli@2.77.0 >/dev/null
fi
echo "tools: $(php --version | head -1); node $(node --version); $(python3 --version); redocly $(redocly --version)"
