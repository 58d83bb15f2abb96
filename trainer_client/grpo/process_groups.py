"""Weight sync from the trainer (driver) to the rollout actors through a torch.distributed broadcast.

The group is built from a ``TCPStore`` and a backend process group object directly, not with
``init_process_group``: that would claim the process's *default* group, which vLLM (in a rollout actor)
and a future DDP trainer group (in the driver) each need for themselves. The driver is rank 0 and the
source of every broadcast; rollout actor ``i`` is rank ``i + 1``.

The backend is gloo for CPU tensors (what CI runs) and NCCL for CUDA tensors (GPU clusters: the weights
go GPU to GPU without touching host memory or the Ray object store). The two share every line here
except the process-group class, so the CPU test covers the protocol; NCCL itself has not run in CI.
"""

from __future__ import annotations

import datetime
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist

GROUP_TIMEOUT = datetime.timedelta(minutes=10)  # one collective: a large model over a slow link
RENDEZVOUS_TIMEOUT = datetime.timedelta(minutes=2)  # every rank joining: an actor that died never will


@dataclass(frozen=True)
class TensorMeta:
    """What a receiver needs to allocate a buffer for one broadcast tensor."""

    name: str
    shape: tuple[int, ...]
    dtype: torch.dtype


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("", 0))
        return int(s.getsockname()[1])


@dataclass
class WeightGroup:
    """A private process group plus the store it was rendezvoused through (which must outlive it)."""

    group: Any
    store: Any

    def broadcast_from_driver(self, tensor: torch.Tensor) -> None:
        self.group.broadcast([tensor], _root0()).wait()

    def shutdown(self) -> None:
        self.group.shutdown()


def make_group(host: str, port: int, world_size: int, rank: int, backend: str) -> WeightGroup:
    """Join (rank 0: host) a private process group of ``world_size`` ranks; blocks until all joined."""
    store = dist.TCPStore(host, port, world_size, is_master=rank == 0, timeout=RENDEZVOUS_TIMEOUT,
                          wait_for_workers=False)
    prefixed = dist.PrefixStore("prorl_weight_sync", store)
    group: Any
    if backend == "gloo":
        opts = dist.ProcessGroupGloo._Options()  # type: ignore[attr-defined]
        opts._timeout = GROUP_TIMEOUT
        # bind to the address the ranks use to reach each other, not whatever the hostname resolves to
        opts._devices = [dist.ProcessGroupGloo.create_device(hostname=_local_address(host))]
        group = dist.ProcessGroupGloo(prefixed, rank, world_size, opts)
    elif backend == "nccl":  # pragma: no cover - needs GPUs; not executed in CI
        nccl_opts = dist.ProcessGroupNCCL.Options()
        nccl_opts._timeout = GROUP_TIMEOUT
        group = dist.ProcessGroupNCCL(prefixed, rank, world_size, nccl_opts)
    else:
        raise ValueError(f"unknown weight-sync backend {backend!r}")
    return WeightGroup(group, store)


def _local_address(peer: str) -> str:
    """This machine's address on the route to ``peer`` (loopback when the peer is loopback)."""
    if peer.startswith("127.") or peer == "localhost":
        return "127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((peer, 9))  # UDP connect sends nothing; it only picks the outgoing interface
        return str(s.getsockname()[0])


def tensor_metas(state_dict: dict[str, torch.Tensor]) -> list[TensorMeta]:
    return [TensorMeta(k, tuple(v.shape), v.dtype) for k, v in state_dict.items()]


def send_weights(group: WeightGroup, state_dict: dict[str, torch.Tensor]) -> None:
    """Rank 0: broadcast every tensor in ``state_dict`` order (the receivers iterate the same metas)."""
    for tensor in state_dict.values():
        t = tensor.detach()
        if not t.is_contiguous():
            t = t.contiguous()
        group.broadcast_from_driver(t)


def receive_weights(group: WeightGroup, metas: list[TensorMeta], device: torch.device,
                    into: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
    """Rank > 0: receive every tensor. A tensor of ``into`` with the same shape, dtype and device is
    written in place (no extra copy of the model); the rest are returned as fresh tensors."""
    fresh: dict[str, torch.Tensor] = {}
    for m in metas:
        target = (into or {}).get(m.name)
        if (target is not None and tuple(target.shape) == m.shape and target.dtype == m.dtype
                and target.device == device and target.is_contiguous()):
            with torch.no_grad():
                group.broadcast_from_driver(target.data)
        else:
            buf = torch.empty(m.shape, dtype=m.dtype, device=device)
            group.broadcast_from_driver(buf)
            fresh[m.name] = buf
    return fresh


def _root0() -> Any:
    opts = dist.BroadcastOptions()
    opts.rootRank = 0
    return opts


def all_reduce_stats(stats: dict[str, float], all_reduce: Callable[[torch.Tensor, Any], None],
                     device: torch.device) -> dict[str, float]:
    """Metric accumulators over all ranks of a group: keys ending in ``_max`` take the maximum, the rest
    the sum (float64: the sums are of up to millions of per-token values). ``all_reduce(tensor, op)`` is
    the group's in-place all-reduce; ``device`` where its backend reduces (CPU for gloo)."""
    out: dict[str, float] = {}
    for keys, op in (([k for k in stats if not k.endswith("_max")], dist.ReduceOp.SUM),
                     ([k for k in stats if k.endswith("_max")], dist.ReduceOp.MAX)):
        if keys:
            t = torch.tensor([stats[k] for k in keys], dtype=torch.float64, device=device)
            all_reduce(t, op)
            out.update(zip(keys, t.tolist(), strict=True))
    return out
