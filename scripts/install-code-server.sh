#!/usr/bin/env bash
# Installs code-server (real VS Code with a Node extension host) for the real-editor test, from the
# npm registry only, into a cache outside the repository, and prints the folder holding its
# `out/node/entry.js`. A second run finds the finished install and only prints it.
#
# Why these steps (see /work/shared/vscode-e2e.md): code-server 4.100.3 (VS Code 1.100.3) is the
# newest that runs on Node 20; its install scripts would download ripgrep and Node headers from
# outside the registry, so they are skipped and their work done here, with Debian's ripgrep and the
# system packages .ci/run installs (build-essential python3 pkg-config libkrb5-dev libx11-dev
# libxkbfile-dev libsecret-1-dev ripgrep).
set -euo pipefail

VERSION=4.100.3
CACHE="${FAULTLINE_CODE_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline-code-server}"
DIR="$CACHE/$VERSION"
CODE_SERVER="$DIR/node_modules/code-server"

if [ -f "$DIR/.installed" ]; then
  echo "$CODE_SERVER"
  exit 0
fi
RG="$(command -v rg || true)"
if [ -z "$RG" ]; then
  echo "install-code-server: ripgrep is missing (apt-get install -y ripgrep)" >&2
  exit 1
fi

# Everything but the final line goes to stderr: callers read the path from stdout.
exec 3>&1 1>&2
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
# node-pty's build runs `npx node-gyp`; as root, npm would otherwise drop privileges for scripts.
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_audit=false npm_config_fund=false
echo '{ "name": "faultline-code-server", "private": true }' >package.json
npm install --ignore-scripts --no-save "code-server@$VERSION"
npm rebuild argon2

cd "$CODE_SERVER/lib/vscode"
npm install --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$RG" node_modules/@vscode/ripgrep/bin/rg
npm rebuild # node-pty, spdlog, kerberos, watcher: native modules built with node-gyp

# What code-server's postinstall would have done.
ln -sfn node_modules node_modules.asar
ln -sf code-linux.sh bin/remote-cli/code-server
ln -sf browser-linux.sh bin/helpers/browser.sh
(cd extensions && npm install --omit=dev)

touch "$DIR/.installed"
echo "$CODE_SERVER" >&3
