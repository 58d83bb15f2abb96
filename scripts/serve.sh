#!/usr/bin/env bash
# README quickstart #1: run the reward service on its embedded executor (no Redis, no Docker needed;
# the code domain additionally needs a Docker engine and the sandbox image, see docs/sandbox.md).
# Arguments go to `prorl serve`, e.g. `bash scripts/serve.sh --port 8000 --host 127.0.0.1`.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv python3-pip >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e '.[service]'
exec .venv/bin/prorl serve "$@"
