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
# The code domain runs programs in Docker. Without an engine the other four domains still work, so the
# readiness probe should not wait for Docker; code items then answer `infra_error` with the reason.
if ! docker info >/dev/null 2>&1; then
  echo "serve.sh: no Docker engine answers: code items will return infra_error (see docs/sandbox.md)" >&2
  export PRORL_CHECK_DOCKER="${PRORL_CHECK_DOCKER:-false}"
elif ! docker image inspect prorl-sandbox:latest >/dev/null 2>&1; then
  echo "serve.sh: sandbox image missing: run 'bash deploy/sandbox/build_local.sh' to score code" >&2
fi
exec .venv/bin/prorl serve "$@"
