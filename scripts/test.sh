#!/usr/bin/env bash
# The project's test command (README quickstart #2). On a fresh Debian 12 machine, as root or with
# sudo: installs the system packages the tests use (Docker engine, Redis, debootstrap, promtool),
# starts dockerd and Redis when they are not answering, builds the sandbox image offline (no registry),
# creates .venv with every extra (torch from the local CPU build), then runs pytest.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/verifiers -k math`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { printf '\n==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- system packages
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v redis-server >/dev/null || need+=(redis-server)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v promtool >/dev/null || need+=(prometheus)
command -v docker-compose >/dev/null || need+=(docker-compose)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv python3-pip)
if [ ${#need[@]} -gt 0 ]; then
  log "installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian prometheus package starts a server on install; the tests only need promtool.
$SUDO systemctl stop prometheus >/dev/null 2>&1 || $SUDO pkill -x prometheus >/dev/null 2>&1 || true

# ---------------------------------------------------------------- services
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  ($SUDO nohup dockerd >/tmp/prorl-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /tmp/prorl-dockerd.log" >&2; exit 1; }
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  log "starting redis on 127.0.0.1:6379"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# ---------------------------------------------------------------- python
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python -c 'import torch' 2>/dev/null; then
  log "installing torch 2.13.0 (CPU)"
  .venv/bin/pip install -q torch==2.13.0
fi
log "installing prorl with all extras"
.venv/bin/pip install -q -e '.[all]'
log "integration packages: verl, OpenRLHF, NeMo-Gym in .venv-integrations/ (reused between runs)"
bash scripts/integration_envs.sh

# ---------------------------------------------------------------- sandbox image (offline)
if [ -f deploy/sandbox/build_local.sh ]; then
  log "building the sandbox image (debootstrap base, no registry)"
  bash deploy/sandbox/build_local.sh
fi

# ---------------------------------------------------------------- tests
log "running pytest"
set +e
.venv/bin/python -m pytest tests -q -p no:cacheprovider --durations=15 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
# vLLM's CPU build, in its own environment (pins of its own; reused when it exists): tests/vllm, which the
# run above skips. Only on a full run (no pytest arguments); PRORL_REQUIRE_VLLM=1 makes a missing vLLM fail.
if [ $# -eq 0 ]; then
  log "vLLM (CPU build) environment and tests"
  bash scripts/vllm_env.sh
  PRORL_REQUIRE_VLLM=1 .venv-vllm/bin/python -m pytest tests/vllm -q -p no:cacheprovider --durations=5 \
    || status=$?
fi
exit "$status"
