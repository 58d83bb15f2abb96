"""Checkpoints that resume exactly: policy, reference, optimizer, step, RNG states, data position, resets.

A checkpoint is written to a temporary directory and renamed into place, then ``latest`` is updated, so
a crash while saving never leaves a half-written checkpoint that resume would pick up.

Layout of ``checkpoints/step_N/``: ``policy/`` (fp32 master weights, HF format: the training state),
``policy_bf16/`` (the same weights in bf16, HF format, half the size: what to evaluate or serve),
``reference.pt``, ``optimizer.pt`` (AdamW moments: twice the weights), ``rng.pt``, ``trainer_state.json``
and ``config.yaml`` (the resolved training config; ``prorl eval`` reads its response budget). Only the
newest ``keep_optimizer`` checkpoints keep ``optimizer.pt``; an older one resumes with fresh AdamW moments.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml


def capture_rng() -> dict[str, Any]:
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "python": random.getstate(),
        "numpy": np.random.get_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def checkpoint_root(output_dir: str | Path) -> Path:
    return Path(output_dir) / "checkpoints"


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    """The directory named in ``checkpoints/latest``, or None when there is no complete checkpoint."""
    root = checkpoint_root(output_dir)
    pointer = root / "latest"
    if not pointer.exists():
        return None
    path = root / pointer.read_text().strip()
    return path if (path / "trainer_state.json").exists() else None


def save_checkpoint(
    output_dir: str | Path,
    step: int,
    policy: Any,
    reference: torch.nn.Module,
    tokenizer: Any,
    optimizer: torch.optim.Optimizer,
    trainer_state: dict[str, Any],
    keep: int = 2,
    *,
    bf16_policy: bool = True,
    keep_optimizer: int | None = None,
    config: dict[str, Any] | None = None,
    policy_state: dict[str, torch.Tensor] | None = None,
    write_state: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``checkpoints/step_<N>`` (policy in HF format so it can be served or evaluated directly), keep
    the newest ``keep`` checkpoints and the optimizer state of the newest ``keep_optimizer`` (None = all).

    A sharded trainer passes the gathered ``policy_state`` (its module holds shards) and ``write_state``,
    which writes the reference and optimizer into the checkpoint directory instead of the ``.pt`` files."""
    root = checkpoint_root(output_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step_{step:07d}"
    tmp = root / f".tmp_step_{step:07d}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    # a copy of the mapping: transformers empties the state dict it is given as it writes the shards
    policy.save_pretrained(tmp / "policy", state_dict=dict(policy_state) if policy_state is not None else None,
                           safe_serialization=True)
    tokenizer.save_pretrained(tmp / "policy")
    if bf16_policy:
        save_bf16(policy, tokenizer, tmp / "policy_bf16", policy_state)
    if config is not None:
        (tmp / "config.yaml").write_text(yaml.safe_dump(json.loads(json.dumps(config)), sort_keys=False))
    if write_state is not None:
        write_state(tmp)
    else:
        torch.save({k: v.detach().cpu() for k, v in reference.state_dict().items()}, tmp / "reference.pt")
        torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    torch.save(capture_rng(), tmp / "rng.pt")
    (tmp / "trainer_state.json").write_text(json.dumps({"step": step, **trainer_state}, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    (root / "latest.tmp").write_text(final.name)
    (root / "latest.tmp").replace(root / "latest")
    old = sorted(p for p in root.glob("step_*") if p.is_dir())
    for p in old[: max(0, len(old) - keep)]:
        shutil.rmtree(p, ignore_errors=True)
    if keep_optimizer is not None:
        kept = sorted(p for p in root.glob("step_*") if p.is_dir())
        for p in kept[: max(0, len(kept) - max(keep_optimizer, 1))]:  # the newest always keeps it: it is `latest`
            (p / "optimizer.pt").unlink(missing_ok=True)
            shutil.rmtree(p / "optimizer_sharded", ignore_errors=True)
    return final


def save_bf16(policy: Any, tokenizer: Any, path: Path, state: dict[str, torch.Tensor] | None = None) -> None:
    """The policy's weights in bf16, HF format (config says bfloat16): half the disk of the fp32 master
    weights and what evaluation or serving loads anyway."""
    from safetensors.torch import save_file

    # written directly: one safetensors file of fresh tensors (no shared storage), whatever the module holds
    state = {k: v.detach().to("cpu", torch.bfloat16 if v.is_floating_point() else v.dtype).contiguous().clone()
             for k, v in (state if state is not None else policy.state_dict()).items()}
    path.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path / "model.safetensors"), metadata={"format": "pt"})
    policy.config.save_pretrained(path)
    if getattr(policy, "generation_config", None) is not None:
        policy.generation_config.save_pretrained(path)
    tokenizer.save_pretrained(path)
    cfg_path = path / "config.json"
    cfg = json.loads(cfg_path.read_text())
    for key in ("dtype", "torch_dtype"):
        if key in cfg:
            cfg[key] = "bfloat16"
    cfg_path.write_text(json.dumps(cfg, indent=2))


def load_trainer_state(path: Path) -> dict[str, Any]:
    return json.loads((path / "trainer_state.json").read_text())


def load_into(
    path: Path, reference: torch.nn.Module, optimizer: torch.optim.Optimizer
) -> bool:
    """Restore reference weights, optimizer state and RNG states (the policy is loaded by the caller).
    Returns False when the checkpoint has no optimizer state (an older one, see ``keep_optimizer``): AdamW
    then starts fresh."""
    if (path / "reference.pt").exists():  # a sharded trainer's checkpoint has reference_sharded/ instead
        reference.load_state_dict(torch.load(path / "reference.pt", map_location="cpu"))
    has_optimizer = (path / "optimizer.pt").exists() or (path / "optimizer_sharded").exists()
    if (path / "optimizer.pt").exists():
        optimizer.load_state_dict(torch.load(path / "optimizer.pt", map_location="cpu", weights_only=False))
    restore_rng(torch.load(path / "rng.pt", weights_only=False))
    return has_optimizer
