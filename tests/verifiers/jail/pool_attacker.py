"""What a scoring worker that untrusted input took over would try: run inside a real worker by the
probe domain's ``attack:<json>`` command (see test_pool_isolation.py). Each attempt reports what it got."""

from __future__ import annotations

import json
import os
import socket
from typing import Any


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return {"ok": True, "got": f.read(200).decode("latin-1")}
    except OSError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def _listdir(path: str) -> dict[str, Any]:
    try:
        return {"ok": True, "got": sorted(os.listdir(path))}
    except OSError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def _connect(family: int, address: Any) -> dict[str, Any]:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
        return {"ok": True}
    except OSError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def attack(arg: str) -> dict[str, Any]:
    """``arg``: {"secret_files": [...], "tcp_ports": [...], "unix_sockets": [...], "pids": [...]}."""
    targets = json.loads(arg)
    outcome: dict[str, Any] = {
        "files": {path: _read(path) for path in targets.get("secret_files", [])},
        "list_root": _listdir("/root"),
        "tcp": {str(port): _connect(socket.AF_INET, ("127.0.0.1", port)) for port in targets.get("tcp_ports", [])},
        "unix": {path: _connect(socket.AF_UNIX, path) for path in targets.get("unix_sockets", [])},
        "environ": {str(pid): _read(f"/proc/{pid}/environ") for pid in [1, *targets.get("pids", [])]},
        "docker_socket_visible": os.path.exists("/var/run/docker.sock") or os.path.exists("/run/docker.sock"),
    }
    with open("/proc/self/status") as status:
        outcome["caps"] = {k: v.strip() for k, _, v in (line.partition(":") for line in status) if k.startswith("Cap")}
    outcome["tmp"] = _listdir("/tmp")
    return outcome
