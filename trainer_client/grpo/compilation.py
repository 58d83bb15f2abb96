"""``torch.compile`` for the update passes only.

Compiling each decoder layer (rather than the whole model) keeps compile time to one layer's graph,
reused by every layer since their code is identical and parameters are graph inputs. Generation must not
run the compiled layers: the KV cache grows by one position per token, so every step would be a new
shape (recompiles) for nothing; :func:`eager` switches compiled code off around it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


def compile_enabled(setting: str, device: torch.device) -> bool:
    """Resolve ``model.compile`` (auto | true | false): auto compiles on CUDA only, where it pays (on CPU
    the compile time outweighs the gain for the small models that train there)."""
    setting = str(setting).lower()
    if setting == "auto":
        return device.type == "cuda"
    return setting == "true"


def compile_decoder_layers(model: torch.nn.Module, dynamic: bool | None = True, fallback: bool = False) -> int:
    """Compile every decoder layer of an HF causal LM in place (state-dict keys unchanged, so
    checkpoints and weight syncs are unaffected). Returns how many layers were compiled.

    ``dynamic=True`` (the trainer's setting) compiles shape-generic code once: rollout batches change
    width every micro-batch, and shape-specialised graphs would recompile for each new width.
    ``fallback=True`` (what ``model.compile=auto`` uses) lets a graph that fails to compile run eagerly
    instead of stopping the run: a default must never break a model that works without it."""
    backbone = model.get_decoder() if hasattr(model, "get_decoder") else getattr(model, "model", None)
    layers = getattr(backbone, "layers", None)
    if layers is None:
        raise ValueError(f"{type(model).__name__}: no decoder layers found to compile (model.compile=true)")
    if fallback:
        torch._dynamo.config.suppress_errors = True  # process-wide, as dynamo offers it
    for layer in layers:
        layer.compile(dynamic=dynamic)
    return len(layers)


@contextlib.contextmanager
def eager() -> Iterator[None]:
    """Run compiled modules eagerly inside this block (no compilation, no recompiles)."""
    set_stance = getattr(torch.compiler, "set_stance", None)
    if set_stance is None:  # torch < 2.6: nothing is compiled by this project there anyway
        yield
        return
    with set_stance("force_eager"):
        yield
