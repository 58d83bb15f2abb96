"""Trainer -> rollout-actor weight sync: Ray object store vs torch.distributed broadcast, same run.

Starts a local Ray, creates ``--workers`` HF rollout actors (:class:`RayRolloutEngine`) for a randomly
initialised Qwen2-shaped model of about ``--params-m`` million parameters, and times
``update_weights`` (from the call until every actor holds the new weights) with each path:

- ``object_store``: one ``ray.put`` of the state dict, every actor ``load_state_dict``s the same ref
  (the CPU default; the baseline);
- ``broadcast``: a private torch.distributed group, the driver broadcasting each tensor (gloo on CPU
  here; the same code uses NCCL between GPUs, where the weights never touch host memory).

A local ``load_state_dict`` into a second copy of the model, in the driver, is printed as the floor.

CPU:  python bench/bench_ray_weight_sync.py                    # ~25M params, 2 actors
      python bench/bench_ray_weight_sync.py --params-m 100 --reps 3
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time

import torch
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM


def model_of(params_m: float) -> Qwen2ForCausalLM:
    """Qwen2 with hidden 512 and as many layers as reach about ``params_m`` million parameters."""
    hidden, vocab = 512, 8192
    per_layer = 4 * hidden * hidden + 3 * hidden * 4 * hidden  # attention (GQA rounded up) + MLP
    layers = max(1, round((params_m * 1e6 - 2 * vocab * hidden) / per_layer))
    cfg = Qwen2Config(vocab_size=vocab, hidden_size=hidden, intermediate_size=4 * hidden, num_hidden_layers=layers,
                      num_attention_heads=8, num_key_value_heads=8, max_position_embeddings=512)
    torch.manual_seed(0)
    return Qwen2ForCausalLM(cfg)


def time_sync(engine: object, state: dict[str, torch.Tensor], reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        engine.update_weights(state)  # type: ignore[attr-defined]
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params-m", type=float, default=25.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    import ray

    from trainer_client.ray.config import RayConfig
    from trainer_client.ray.rollout import RayRolloutEngine
    from trainer_client.ray.train import init_ray

    model = model_of(args.params_m)
    state = model.state_dict()
    n_params = sum(p.numel() for p in model.parameters())
    mb = sum(v.numel() * v.element_size() for v in state.values()) / 2**20
    store_mb = int(max(256, 3 * mb))
    init_ray(RayConfig(address="local", num_cpus=max(2, args.workers), object_store_mb=store_mb))
    tok = PreTrainedTokenizerFast(tokenizer_object=__import__("tokenizers").Tokenizer(
        __import__("tokenizers").models.WordLevel(vocab={"<pad>": 0}, unk_token="<pad>")), pad_token="<pad>")

    rows = []
    twin = copy.deepcopy(model)
    floor = []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        twin.load_state_dict(state)
        floor.append(time.perf_counter() - t0)
    rows.append(("local load_state_dict (floor)", floor))
    for path in ("object_store", "broadcast"):
        engine = RayRolloutEngine(model.config, tok, workers=args.workers, weight_sync=path,
                                  cpus_per_worker=max(2, args.workers) / args.workers)
        engine.update_weights(state)  # warm-up: first object-store put / group rendezvous
        rows.append((f"{path} ({args.workers} actors)", time_sync(engine, state, args.reps)))
        engine.shutdown()
    ray.shutdown()

    print(f"\nmodel: {n_params / 1e6:.1f}M params, {mb:.0f} MiB fp32; {args.workers} actors; {args.reps} reps; "
          f"{os.cpu_count()} CPUs")
    print(f"{'path':<34} {'median s':>9} {'min s':>8} {'MiB/s':>8} {'vs object_store':>16}")
    base = statistics.median(rows[1][1])
    for name, ts in rows:
        med = statistics.median(ts)
        print(f"{name:<34} {med:>9.3f} {min(ts):>8.3f} {mb * (args.workers if 'actors' in name else 1) / med:>8.0f} "
              f"{base / med:>15.2f}x")


if __name__ == "__main__":
    main()
