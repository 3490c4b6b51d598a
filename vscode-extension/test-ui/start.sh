#!/usr/bin/env bash
# Starts code-server on 127.0.0.1:PORT in its own session (kill the whole group with `kill -- -PID`), with a
# scratch HOME under STATEDIR, opening FOLDER, extensions from EXTDIR. Prints the server's pid, then waits
# until the server answers. Logs to STATEDIR/code-server.log.
# usage: start.sh PORT FOLDER EXTDIR STATEDIR
set -euo pipefail
PORT=$1; FOLDER=$2; EXTDIR=$3; STATE=$4
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
DIR=${VSCODE_UI_DIR:-$home/.cache/vscode-ui}
mkdir -p "$STATE/home" "$STATE/ud/User" "$EXTDIR"
# A fixed theme, no welcome page and no trust prompt keep screenshots and key presses predictable.
cat > "$STATE/ud/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "workbench.colorTheme": "Default Dark Modern",
  "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "workbench.tips.enabled": false }
JSON
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$STATE/config.yaml"
HOME="$STATE/home" XDG_CONFIG_HOME="$STATE/home/.config" XDG_DATA_HOME="$STATE/home/.local/share" \
  setsid "$DIR/node_modules/.bin/code-server" --config "$STATE/config.yaml" --bind-addr "127.0.0.1:$PORT" \
  --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --user-data-dir "$STATE/ud" --extensions-dir "$EXTDIR" "$FOLDER" \
  > "$STATE/code-server.log" 2>&1 < /dev/null &
echo $!
# A loaded 2-core machine can take a while to bring the server up.
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && exit 0; sleep 0.2; done
echo "code-server did not answer on port $PORT within 60 s; see $STATE/code-server.log" >&2; exit 1
