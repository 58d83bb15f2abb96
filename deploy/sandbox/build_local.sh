#!/usr/bin/env bash
# Build the sandbox image without any container registry.
#
#   bash deploy/sandbox/build_local.sh [--force]
#
# 1. prorl-base:bookworm: a minimal Debian bookworm root made by debootstrap (python3, pip, venv, and
#    g++ for C++ programs), imported with `docker import`; labelled with its package list, so a base made
#    from an older list is rebuilt. The deploy images reuse this base, so its tag is fixed.
# 2. prorl-sandbox:latest: deploy/sandbox/Dockerfile built on that base (--build-arg BASE_IMAGE=...).
# Each step is skipped when its image already exists (the sandbox image: with the current harness.py),
# unless --force is given.
# Needs root (debootstrap, chroot) and a running Docker engine; reaches only the Debian mirror.
set -euo pipefail

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

BASE_TAG="${PRORL_BASE_IMAGE:-prorl-base:bookworm}"
SANDBOX_TAG="${PRORL_SANDBOX_IMAGE:-prorl-sandbox:latest}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

have_image() { docker image inspect "$1" >/dev/null 2>&1; }
BASE_PACKAGES="python3,python3-pip,python3-venv,g++"
base_packages() { docker image inspect -f '{{index .Config.Labels "prorl.base.packages"}}' "$BASE_TAG" 2>/dev/null || true; }

if ! docker info >/dev/null 2>&1; then
  echo "build_local.sh: no Docker engine answers (start dockerd first)" >&2
  exit 1
fi

if [[ $FORCE == 1 ]] || ! have_image "$BASE_TAG" || [[ "$(base_packages)" != "$BASE_PACKAGES" ]]; then
  command -v debootstrap >/dev/null || { echo "build_local.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
  ROOT="$(mktemp -d /var/tmp/prorl-base.XXXXXX)"
  trap 'rm -rf "$ROOT"' EXIT
  echo "building $BASE_TAG with debootstrap in $ROOT (a few minutes)" >&2
  debootstrap --variant=minbase --include="$BASE_PACKAGES" bookworm "$ROOT" "$MIRROR" >&2
  # Keep the image small: no package lists or caches.
  rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/apt/archives/*.deb
  tar --numeric-owner -C "$ROOT" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    --change "LABEL prorl.base.packages=$BASE_PACKAGES" \
    - "$BASE_TAG" >&2
  rm -rf "$ROOT"
  trap - EXIT
  FORCE=1  # a new base invalidates the sandbox image built on the old one
else
  echo "$BASE_TAG exists (use --force to rebuild)" >&2
fi

HARNESS_SHA256="$(sha256sum "$HERE/harness.py" | cut -d' ' -f1)"
DOCKERFILE_SHA256="$(sha256sum "$HERE/Dockerfile" | cut -d' ' -f1)"
label() { docker image inspect -f "{{index .Config.Labels \"$1\"}}" "$SANDBOX_TAG" 2>/dev/null || true; }
if [[ $FORCE == 1 ]] || ! have_image "$SANDBOX_TAG" || [[ "$(label prorl.harness.sha256)" != "$HARNESS_SHA256" ]] \
    || [[ "$(label prorl.dockerfile.sha256)" != "$DOCKERFILE_SHA256" ]]; then
  echo "building $SANDBOX_TAG on $BASE_TAG" >&2
  docker build --build-arg "BASE_IMAGE=$BASE_TAG" --build-arg "HARNESS_SHA256=$HARNESS_SHA256" \
    --build-arg "DOCKERFILE_SHA256=$DOCKERFILE_SHA256" \
    -t "$SANDBOX_TAG" "$HERE" >&2
else
  echo "$SANDBOX_TAG exists with the current harness and Dockerfile (use --force to rebuild)" >&2
fi
echo "$SANDBOX_TAG"
