#!/usr/bin/env bash
# Installs the real third-party packages that tests/integrations/ drives (verl, OpenRLHF, NeMo-Gym), each in
# its own directory under .venv-integrations/, reused between runs (a stamp records what was installed).
#
# Why not in .venv: verl and NeMo-Gym import hydra-core, which pins antlr4-python3-runtime 4.9, and
# math-verify's LaTeX parser needs 4.13.2 (docs/PITFALLS: one environment silently breaks the other). Each
# directory is a `pip install --target` of the package with --no-deps plus only the modules it imports at
# import time; the heavy stacks (torch, transformers, ray, pydantic, fastapi) come from .venv underneath.
# A test runs `PYTHONPATH=.venv-integrations/<name> .venv/bin/python ...` in a subprocess, so the pinned
# antlr4 shadows .venv's only there. First run: ~2 min and ~420 MB (NeMo-Gym imports scipy and wandb);
# afterwards: nothing to do.
#
# Usage: bash scripts/integration_envs.sh            (PRORL_PYTHON overrides the interpreter, default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PRORL_PYTHON:-.venv/bin/python}
ROOT=.venv-integrations
mkdir -p "$ROOT"

# install NAME PIP_ARGS...: (re)install into $ROOT/NAME unless its stamp already lists exactly these args.
install() {
  local name=$1
  shift
  local dir="$ROOT/$name" want="$*"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ]; then
    return 0
  fi
  echo "==> integration env $name: $want" >&2
  rm -rf "$dir"
  "$PY" -m pip install -q --disable-pip-version-check --no-deps --target "$dir" "$@"
  printf '%s' "$want" >"$dir/.stamp"
}

# verl 0.9: its config (hydra/omegaconf), reward loop and sandbox-fusion client.
install verl verl==0.9.1 hydra-core==1.3.8 omegaconf==2.3.0 antlr4-python3-runtime==4.9.3 codetiming==1.4.0 \
  tensordict==0.10.0 pyvers==0.2.3 pylatexenc==2.11 orjson==3.13.0
rm -rf "$ROOT/verl/tests" "$ROOT/verl/scripts"  # the wheel ships top-level `tests`, which would shadow ours

# OpenRLHF 0.11: its remote reward executor (openrlhf.utils.agent.SingleTurnAgentExecutor).
install openrlhf openrlhf==0.11.2 pylatexenc==2.11

# NeMo-Gym 0.7: the resource server's verify request/response models. It declares Python >= 3.13.14 but
# its models import and validate on 3.11. nemo_gym moves its own install root to the end of sys.path, so
# its dependencies (hydra's antlr4 4.9 above all) live in a separate directory listed first.
install nemo_gym_deps hydra-core==1.3.2 omegaconf==2.3.0 antlr4-python3-runtime==4.9.3 orjson==3.13.0 \
  itsdangerous==2.2.0 openai==2.44.0 distro==1.9.0 jiter==0.19.0 sniffio==1.3.1 yappi==1.7.6 pydot==4.0.1 scipy==1.17.1 wandb==0.31.0
if [ ! -f "$ROOT/nemo_gym/.stamp" ] || [ "$(cat "$ROOT/nemo_gym/.stamp")" != "--ignore-requires-python nemo-gym==0.7.0" ]; then
  install nemo_gym --ignore-requires-python nemo-gym==0.7.0
  # The wheel also ships example servers, agents and benchmark data (~140 MB) that the models never import.
  rm -rf "$ROOT"/nemo_gym/{benchmarks,resources_servers,responses_api_agents,responses_api_models,environments,environment_servers}
fi
