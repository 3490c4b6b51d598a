#!/usr/bin/env bash
# Installs a real VS Code for the UI tests: code-server 4.100.3 (= VS Code 1.100.3) with playwright-core into
# DIR (default $VSCODE_UI_DIR, else ~/.cache/vscode-ui), and Debian's Chromium to show it headless.
# Idempotent: once DIR/.ready exists a second run returns at once. Needs root for apt-get (or the packages
# already installed). Only Debian's and npm's registries are used: `npm install code-server` as such would
# download ripgrep and prebuilt modules in its postinstall, so those steps are done here by hand instead.
set -euo pipefail
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
DIR=${1:-${VSCODE_UI_DIR:-$home/.cache/vscode-ui}}
CODE_SERVER_VERSION=4.100.3
mkdir -p "$DIR"; cd "$DIR"
if [ -x node_modules/.bin/code-server ] && [ -f .ready ] && [ -x /usr/bin/chromium ]; then
  echo "vscode-ui: ready in $DIR"; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
need=()
for p in chromium ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev build-essential pkg-config fonts-dejavu-core curl; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "vscode-ui: missing packages: ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2; exit 1
  fi
  echo "vscode-ui: installing ${need[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export npm_config_unsafe_perm=true
[ -f package.json ] || echo '{"name":"vscode-ui","private":true}' > package.json
echo "vscode-ui: npm install code-server@$CODE_SERVER_VERSION playwright-core"
npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" playwright-core@1 --ignore-scripts >/dev/null
npm rebuild argon2 >/dev/null 2>&1 || true
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --loglevel=error --unsafe-perm --omit=dev --ignore-scripts >/dev/null
# Native modules the server loads, built against the local node.
npm rebuild kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog node-pty >/dev/null 2>&1 || true
mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --loglevel=error --unsafe-perm --omit=dev >/dev/null 2>&1 || true)
cd "$DIR" && touch .ready
echo "vscode-ui: installed in $DIR"
