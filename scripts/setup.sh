#!/usr/bin/env bash
# Installs what a fresh machine lacks for authx (pnpm, redis-server), then the workspace's
# dependencies from the lockfile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing redis-server" >&2
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
  else
    echo "setup: redis-server is missing and apt-get is not available; install redis-server (>= 7) yourself" >&2
    exit 1
  fi
fi

pnpm install --frozen-lockfile
