"""Rollout workers as Ray actors, behind the trainer's :class:`~trainer_client.grpo.engines.base.RolloutEngine`.

Each :class:`RolloutWorker` actor holds one engine (transformers on CPU or GPU, or vLLM) and sits in its
own bundle of a placement group, so GPUs are reserved atomically and pinned (``num_gpus=1`` bundles,
PACK / SPREAD / STRICT_* configurable). :class:`RayRolloutEngine` shards the prompts of a step across
the actors in contiguous slices and gathers the samples back in prompt order.

Randomness stays owned by the driver so a run is reproducible and resumable from the driver's RNG
checkpoint: with one CPU worker the driver hands its torch RNG state to the actor and takes the advanced
state back, which makes sampling identical to the local (non-Ray) path; with several workers (or GPU
workers, whose sampling uses the CUDA generator) each shard gets a seed drawn from the driver's RNG.

Weights go from the trainer to the actors after every update either through the Ray object store (one
``ray.put``, every actor loads the same ref; what CPU runs use) or through a torch.distributed broadcast
(:mod:`trainer_client.grpo.process_groups`; NCCL between GPUs). The time of each sync is kept as ``weight_sync_s``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import ray
import torch
from ray.util.placement_group import remove_placement_group

from trainer_client.grpo import process_groups
from trainer_client.grpo.engines.base import Sample, SamplingSettings
from trainer_client.ray.placement import check_fits, in_bundle, reserve


class RolloutWorker:
    """One rollout engine in its own process (wrapped with ``ray.remote`` by :class:`RayRolloutEngine`)."""

    def __init__(self, engine: str, model_config: Any, tokenizer: Any, device: str, dtype: str,
                 generation_batch_prompts: int, vllm_kwargs: dict[str, Any] | None = None) -> None:
        self.device = torch.device(device)
        self.group: Any = None
        if engine == "vllm":
            from trainer_client.grpo.engines import make_vllm_engine

            self.model = None
            self.engine: Any = make_vllm_engine(**(vllm_kwargs or {}))
            return
        from transformers import AutoModelForCausalLM

        from trainer_client.grpo.engines.hf import HFEngine

        # built from the config alone: the weights arrive by the first sync, so no node needs the
        # model files on disk
        torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
        self.model = AutoModelForCausalLM.from_config(model_config, dtype=torch_dtype).to(self.device).eval()
        self.engine = HFEngine(self.model, tokenizer, generation_batch_prompts)

    def node_ip(self) -> str:
        return str(ray.util.get_node_ip_address())

    def generate(self, prompts: list[list[int]], settings: SamplingSettings, rng_state: torch.Tensor | None = None,
                 return_rng: bool = False) -> tuple[list[list[Sample]], torch.Tensor | None, float]:
        """Samples for ``prompts``. ``rng_state`` makes the CPU generator continue the driver's stream;
        ``return_rng`` hands the advanced state back (the last chunk of a handed-off stream)."""
        t0 = time.perf_counter()
        if rng_state is not None:
            torch.set_rng_state(rng_state)
        groups = self.engine.generate(prompts, settings)
        out_state = torch.get_rng_state() if return_rng else None
        return groups, out_state, time.perf_counter() - t0

    def load_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Object-store path: Ray resolved the shared ref to ``state_dict`` before calling."""
        self.engine.update_weights(state_dict)

    def join_weight_group(self, host: str, port: int, world_size: int, rank: int, backend: str) -> None:
        if backend == "nccl":  # pragma: no cover - needs GPUs
            torch.cuda.set_device(self.device)
        self.group = process_groups.make_group(host, port, world_size, rank, backend)

    def receive_weights(self, metas: list[process_groups.TensorMeta]) -> None:
        """Broadcast path: HF models are written in place; vLLM gets the received tensors as a batch."""
        own = self.model.state_dict() if self.model is not None else None
        rest = process_groups.receive_weights(self.group, metas, self.device, into=own)
        if rest:
            self.engine.update_weights(rest)

    def param_checksum(self) -> float:
        """Sum of every weight in float64: lets a test check that a sync reached this actor."""
        assert self.model is not None, "HF workers only"
        return float(sum(p.detach().double().sum() for p in self.model.parameters()))

    def sleep(self) -> None:
        self.engine.sleep()

    def wake_up(self) -> None:
        self.engine.wake_up()


def chunk_bounds(n_items: int, chunk: int, n_workers: int) -> list[tuple[int, int]]:
    """``[start, end)`` chunks of ``chunk`` items in order; ``chunk`` 0 = one equal chunk per worker
    (vLLM batches a whole shard itself, smaller calls would only cost throughput)."""
    if chunk <= 0:
        chunk = max(1, -(-n_items // n_workers))
    return [(a, min(a + chunk, n_items)) for a in range(0, n_items, chunk)]


class RayRolloutEngine:
    """A :class:`~trainer_client.grpo.engines.base.RolloutEngine` whose generation runs on Ray actors."""

    def __init__(self, model_config: Any, tokenizer: Any, *, workers: int = 1, engine: str = "hf",
                 gpus_per_worker: float = 0, cpus_per_worker: float = 1, placement_strategy: str = "PACK",
                 weight_sync: str = "auto", dtype: str = "auto", generation_batch_prompts: int = 64,
                 vllm_kwargs: dict[str, Any] | None = None, ready_timeout_s: float = 600) -> None:
        if not ray.is_initialized():
            raise RuntimeError("RayRolloutEngine needs ray.init() first (prorl train --ray-address ...)")
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.n_gpus = gpus_per_worker
        self.chunk_prompts = max(1, generation_batch_prompts) if engine == "hf" else 0
        device = "cuda" if gpus_per_worker > 0 else "cpu"
        if dtype == "auto":
            dtype = "bfloat16" if device == "cuda" else "float32"
        if weight_sync == "auto":
            weight_sync = "broadcast" if device == "cuda" else "object_store"
        self.weight_sync = weight_sync
        self.backend = "nccl" if device == "cuda" else "gloo"
        # the driver's RNG stream is continued exactly only by one CPU worker running the same HF sampler
        self.handoff_rng = workers == 1 and device == "cpu" and engine == "hf"
        bundle: dict[str, float] = {"CPU": cpus_per_worker}
        if gpus_per_worker > 0:
            bundle["GPU"] = gpus_per_worker
        check_fits(bundle, workers, "rollout workers", "lower --ray-workers or --ray-{res}-per-worker")
        self.pg = reserve(bundle, workers, placement_strategy, ready_timeout_s, "rollout workers")
        actor_cls = ray.remote(RolloutWorker)
        self.workers: list[Any] = [
            actor_cls.options(
                num_cpus=cpus_per_worker, num_gpus=gpus_per_worker,
                scheduling_strategy=in_bundle(self.pg, i),
            ).remote(engine, model_config, tokenizer, device, dtype, generation_batch_prompts, vllm_kwargs)
            for i in range(workers)
        ]
        self.node_ips = ray.get([w.node_ip.remote() for w in self.workers])  # also: every actor is up
        self.group: Any = None
        self._metrics: dict[str, float] = {}

    # ---- RolloutEngine --------------------------------------------------------------------------------
    def generate(self, prompts: list[list[int]], settings: SamplingSettings) -> list[list[Sample]]:
        """Samples for every prompt, in prompt order (all chunks gathered)."""
        groups: list[list[Sample]] = []
        for _, part in self.generate_stream(prompts, settings):
            groups.extend(part)
        return groups

    def generate_stream(self, prompts: list[list[int]],
                        settings: SamplingSettings) -> Iterator[tuple[int, list[list[Sample]]]]:
        """Yield ``(first prompt index, groups)`` chunk by chunk, in prompt order, as soon as each chunk
        (and every chunk before it) is generated, so the caller can score chunk i while the actors are
        still generating chunk i + 1.

        Chunks are ``generation_batch_prompts`` prompts, the HF engine's own batch, dealt round-robin to
        the actors (each actor works through its queue in order). With one CPU actor the driver's RNG
        state goes with the first chunk and comes back with the last: sampling is then exactly the local
        engine's. Otherwise every chunk gets a seed drawn from the driver's RNG.
        """
        if not prompts:
            return
        t0 = time.perf_counter()
        bounds = chunk_bounds(len(prompts), self.chunk_prompts, len(self.workers))
        refs = []
        if self.handoff_rng:
            last = len(bounds) - 1
            for i, (a, b) in enumerate(bounds):
                refs.append(self.workers[0].generate.remote(
                    prompts[a:b], settings, torch.get_rng_state() if i == 0 else None, i == last))
        else:
            seeds = self._shard_seeds(settings, len(bounds))
            for i, ((a, b), seed) in enumerate(zip(bounds, seeds, strict=True)):
                worker = self.workers[i % len(self.workers)]
                refs.append(worker.generate.remote(prompts[a:b], replace(settings, seed=seed)))
        busy = [0.0] * len(self.workers)
        for i, ((a, _), ref) in enumerate(zip(bounds, refs, strict=True)):
            part, state, seconds = ray.get(ref)
            busy[i % len(self.workers)] += seconds
            if state is not None:
                torch.set_rng_state(state)
            yield a, part
        self._add("ray/generate_s", time.perf_counter() - t0)
        used = busy[: min(len(bounds), len(self.workers))]
        self._metrics["ray/worker_busy_max_s"] = self._metrics.get("ray/worker_busy_max_s", 0.0) + max(used)
        self._metrics["ray/worker_busy_min_s"] = self._metrics.get("ray/worker_busy_min_s", 0.0) + min(used)

    def update_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Send the trainer's weights to every actor and wait until all hold them (timed)."""
        t0 = time.perf_counter()
        if self.weight_sync == "broadcast":
            self._broadcast(state_dict)
        else:
            # one copy into the object store, read by every actor (one transfer per node, not per actor)
            ref = ray.put({k: v.detach().cpu() for k, v in state_dict.items()})
            ray.get([w.load_weights.remote(ref) for w in self.workers])
            del ref
        self._add("weight_sync_s", time.perf_counter() - t0)
        self._metrics["weight_sync_mb"] = sum(v.numel() * v.element_size() for v in state_dict.values()) / 2**20

    def sleep(self) -> None:
        ray.get([w.sleep.remote() for w in self.workers])

    def wake_up(self) -> None:
        ray.get([w.wake_up.remote() for w in self.workers])

    # ---- extras ---------------------------------------------------------------------------------------
    def pop_metrics(self) -> dict[str, float]:
        """Timings gathered since the last call (summed over calls), for the step's metrics row."""
        out, self._metrics = self._metrics, {}
        return out

    def shutdown(self) -> None:
        """Kill the actors and release their placement group (the driver's Ray session stays up)."""
        for w in self.workers:
            ray.kill(w)
        self.workers = []
        remove_placement_group(self.pg)
        if self.group is not None:
            self.group.shutdown()
            self.group = None

    def _shard_seeds(self, settings: SamplingSettings, n: int) -> list[int]:
        if settings.seed is not None:
            return [settings.seed + i for i in range(n)]
        return [int(s) for s in torch.randint(0, 2**31 - 1, (n,))]  # drawn from the driver's RNG

    def _broadcast(self, state_dict: dict[str, torch.Tensor]) -> None:
        if self.group is None:
            self._join_group()
        # gloo moves CPU tensors, NCCL CUDA ones, wherever the trainer keeps its weights
        device = torch.device("cuda", torch.cuda.current_device()) if self.backend == "nccl" else torch.device("cpu")
        state = {k: v.detach().to(device) for k, v in state_dict.items()}
        metas = process_groups.tensor_metas(state)
        refs = [w.receive_weights.remote(metas) for w in self.workers]
        process_groups.send_weights(self.group, state)
        ray.get(refs)

    def _join_group(self) -> None:
        host = "127.0.0.1" if set(self.node_ips) == {ray.util.get_node_ip_address()} else \
            ray.util.get_node_ip_address()
        port = process_groups.free_port()
        world = len(self.workers) + 1
        refs = [w.join_weight_group.remote(host, port, world, i + 1, self.backend)
                for i, w in enumerate(self.workers)]
        self.group = process_groups.make_group(host, port, world, 0, self.backend)
        ray.get(refs)

    def _add(self, key: str, value: float) -> None:
        self._metrics[key] = self._metrics.get(key, 0.0) + value
