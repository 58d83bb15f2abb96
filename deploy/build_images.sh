#!/usr/bin/env bash
# Build every image of docker-compose.yml locally, without any container registry.
#
#   bash deploy/build_images.sh [--force]
#
# 1. prorl-base:bookworm + prorl-sandbox:latest via deploy/sandbox/build_local.sh (debootstrap base).
# 2. A wheelhouse (./wheelhouse) of prorl[service] and all its dependencies (`pip wheel`), for the
#    base image's Python. PyPI is the only thing reached here; the image builds install --no-index.
# 3. prorl-api (API and worker), prorl-nginx, prorl-redis, prorl-prometheus, each FROM the base
#    (Debian packages for nginx, Redis and Prometheus; the image builds reach only the Debian mirror,
#    on the default bridge network).
#
# Environment: PRORL_TAG (image tag, default "local"), PRORL_BASE_IMAGE (default prorl-base:bookworm),
# PYTHON (interpreter that builds the wheels, default .venv/bin/python, else python3; it must have the
# base image's Python major.minor: 3.11 for bookworm).
set -euo pipefail

FORCE=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=(--force) ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/deploy"
TAG="${PRORL_TAG:-local}"
BASE="${PRORL_BASE_IMAGE:-prorl-base:bookworm}"
WHEELHOUSE="$ROOT/wheelhouse"
if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- 1. base + sandbox
log "base and sandbox images (deploy/sandbox/build_local.sh)"
PRORL_BASE_IMAGE="$BASE" bash "$HERE/sandbox/build_local.sh" "${FORCE[@]}" >/dev/null

# ---------------------------------------------------------------- 2. wheelhouse
# Dependencies are rebuilt only when pyproject.toml or the base image change (a stamp file records
# both); prorl's own wheel (pure Python) is rebuilt from the working tree every time.
# - On the host: every dependency wheel, with the host's compilers (sdist-only packages such as
#   pycosat need one, the base image has none). So $PYTHON must be the base image's Python major.minor.
# - Then inside the base image, against those wheels: environment markers are evaluated for the
#   image's exact interpreter (redis needs async-timeout below Python 3.11.3), adding what it lacks.
base_py="$(docker run --rm --network none "$BASE" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
host_py="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$base_py" != "$host_py" ]]; then
  echo "build_images.sh: $PYTHON is Python $host_py but $BASE has $base_py; set PYTHON to a $base_py interpreter" >&2
  exit 1
fi
mkdir -p "$WHEELHOUSE" "$ROOT/.cache/pip"
rm -f "$WHEELHOUSE"/prorl-*.whl
stamp="$(cat "$ROOT/pyproject.toml" <(docker image inspect -f '{{.Id}}' "$BASE") | sha256sum | cut -c1-16)"
if [[ ${#FORCE[@]} -gt 0 || ! -f "$WHEELHOUSE/.deps-$stamp" ]]; then
  log "dependency wheels in $WHEELHOUSE ($PYTHON, then $BASE's Python)"
  find "$WHEELHOUSE" -maxdepth 1 \( -name '*.whl' -o -name '.deps-*' \) -delete
  "$PYTHON" -m pip wheel -q --disable-pip-version-check "$ROOT[service]" -w "$WHEELHOUSE"
  # The host's CA bundle goes in too: it holds any CA a TLS-intercepting proxy on this network needs.
  ca_args=()
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    ca_args=(-v /etc/ssl/certs/ca-certificates.crt:/host-ca.crt:ro -e PIP_CERT=/host-ca.crt)
  fi
  docker run --rm --user "$(id -u):$(id -g)" -e HOME=/tmp -e PIP_CACHE_DIR=/cache "${ca_args[@]}" \
    -e PIP_INDEX_URL -e HTTP_PROXY -e HTTPS_PROXY -e http_proxy -e https_proxy \
    -v "$WHEELHOUSE:/wheelhouse" -v "$ROOT/.cache/pip:/cache" "$BASE" sh -ec '
      python3 -m venv /tmp/venv
      /tmp/venv/bin/pip wheel -q --disable-pip-version-check --retries 2 --timeout 20 --find-links /wheelhouse \
        "$(ls /wheelhouse/prorl-*.whl)[service]" -w /wheelhouse'
  rm -f "$WHEELHOUSE"/prorl-*.whl
  touch "$WHEELHOUSE/.deps-$stamp"
else
  log "dependency wheels up to date ($WHEELHOUSE/.deps-$stamp)"
fi
log "prorl wheel from the working tree ($PYTHON)"
"$PYTHON" -m pip wheel -q --no-deps --disable-pip-version-check "$ROOT" -w "$WHEELHOUSE"

# The API image's build context is deploy/api: dependencies and the project in separate folders, so
# Docker's layer cache keeps the dependency install when only prorl's code changed. Hard links, no copy.
rm -rf "$HERE/api/wheelhouse" "$HERE/api/project"
mkdir -p "$HERE/api/wheelhouse" "$HERE/api/project"
for whl in "$WHEELHOUSE"/*.whl; do
  case "$(basename "$whl")" in
    prorl-*) dest="$HERE/api/project" ;;
    *) dest="$HERE/api/wheelhouse" ;;
  esac
  ln "$whl" "$dest/" 2>/dev/null || cp "$whl" "$dest/"
done

# ---------------------------------------------------------------- 3. images
for name in api nginx redis prometheus; do
  log "prorl-$name:$TAG"
  out="$(mktemp)"
  if ! docker build --build-arg "BASE_IMAGE=$BASE" -t "prorl-$name:$TAG" "$HERE/$name" >"$out" 2>&1; then
    tail -n 40 "$out" >&2; rm -f "$out"; echo "build_images.sh: prorl-$name failed" >&2; exit 1
  fi
  rm -f "$out"
done
log "built: prorl-{api,nginx,redis,prometheus}:$TAG (+ $BASE, prorl-sandbox)"
