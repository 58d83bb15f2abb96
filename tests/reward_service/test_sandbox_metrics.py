"""`prorl_sandbox_containers{state}` reports the code verifier's warm pool once code has run."""

from __future__ import annotations

import re
import time

import httpx

CODE_ITEM = {"domain": "code", "response": "```python\nprint(int(input()) * 2)\n```",
             "reference": {"language": "python", "tests": {"inputs": ["21\n"], "outputs": ["42\n"]}}}


def sandbox_gauge(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return {
        m.group(1): float(m.group(2))
        for m in re.finditer(r'^prorl_sandbox_containers\{state="(\w+)"\} (\S+)$', text, re.M)}


def test_sandbox_containers_gauge_counts_the_warm_pool(reward_service_url: str) -> None:
    answer = httpx.post(f"{reward_service_url}/v1/score", json={"items": [CODE_ITEM]}, timeout=120).json()
    assert answer["results"][0]["reward"] == 1.0
    deadline = time.monotonic() + 60
    gauge = sandbox_gauge(reward_service_url)
    while gauge.get("ready", 0) < 1 and time.monotonic() < deadline:  # replacements start in the background
        time.sleep(0.5)
        gauge = sandbox_gauge(reward_service_url)
    assert set(gauge) == {"ready", "busy"}
    assert gauge["ready"] >= 1 and gauge["busy"] == 0
