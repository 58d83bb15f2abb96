"""The compose deployment, for real: nginx -> 2 API replicas -> Redis -> 2 RQ workers -> sandboxes.

Builds the local images (deploy/build_images.sh: no registry pulls), brings docker-compose.yml up
under a unique project name, scores every golden set through nginx on 127.0.0.1 from several client
threads, SIGKILLs one API replica and one worker while requests are in flight, and checks that no
item is lost: every request is answered with one result per item, in order, and every result that
is a judgement equals the in-process ``verifiers.score_batch`` verdict. Tears down in all cases.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.deploy.compose_stack import ComposeStack, build_images
from verifiers import score_batch

# The first run on a machine builds every image (about 8 minutes on 2 cores); later runs reuse them.
pytestmark = [pytest.mark.slow, pytest.mark.docker, pytest.mark.timeout(1800)]

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
API_REPLICAS, WORKERS = 2, 2
BATCH = 24  # items per request: several chunks per request, many requests in flight at the kill
CLIENTS = 4
KILL_AFTER_BATCHES = 4  # kill once this many requests have been answered, with others in flight
# 2 cores: one scoring process and one sandbox per worker, small chunks so a kill hits a chunk
# mid-flight, and a short lease so the dead worker's chunk is retried within seconds.
STACK_SETTINGS = {
    "PRORL_POOL_WORKERS": "1",
    "PRORL_SANDBOX_POOL_SIZE": "1",
    "PRORL_SANDBOX_MAX_CONCURRENT": "1",
    "PRORL_CHUNK_SIZE": "8",
    "PRORL_LEASE_TTL_S": "5",
}


def _golden_items() -> list[dict]:
    items = []
    for path in sorted(GOLDEN.glob("*.jsonl")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.strip():
                item = dict(json.loads(line)["item"])
                item["id"] = f"{path.stem}:{number}"  # unique ids: results are matched back by position and id
                items.append(item)
    return items


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ComposeStack]:
    build_images()
    stack = ComposeStack(settings=STACK_SETTINGS)
    try:
        stack.up(api=API_REPLICAS, workers=WORKERS, tmp_dir=tmp_path_factory.mktemp("compose"))
        stack.remember_worker_sandboxes()
        stack.wait_ready(workers=WORKERS)
        yield stack
    except BaseException:
        print(stack.logs())
        raise
    finally:
        stack.down()


def test_only_nginx_publishes_and_only_on_loopback(stack: ComposeStack) -> None:
    published = {}
    for service in ("nginx", "api", "worker", "redis"):
        for cid in stack.containers(service):
            ports = stack.inspect(cid)["NetworkSettings"]["Ports"] or {}
            bindings = [b for binds in ports.values() if binds for b in binds]
            if bindings:
                published[service] = bindings
    assert set(published) == {"nginx"}, published
    assert all(b["HostIp"] == "127.0.0.1" for b in published["nginx"]), published
    prometheus = [b for cid in stack.containers("prometheus")
                  for binds in (stack.inspect(cid)["NetworkSettings"]["Ports"] or {}).values() if binds for b in binds]
    assert prometheus and all(b["HostIp"] == "127.0.0.1" for b in prometheus), prometheus


def test_prometheus_scrapes_every_api_replica_and_worker_and_loads_the_alerts(stack: ComposeStack) -> None:
    with httpx.Client() as client:
        _post_batch(client, stack.url, _golden_items()[:8])
    deadline = time.monotonic() + 90
    up: list[dict] = []
    up_workers: list[dict] = []
    scored: list[dict] = []
    worker_scored: list[dict] = []
    while time.monotonic() < deadline:
        try:
            up = stack.prometheus_query('up{job="prorl-api"} == 1')
            up_workers = stack.prometheus_query('up{job="prorl-worker"} == 1')
            scored = stack.prometheus_query("sum(prorl_items_total)")
            worker_scored = stack.prometheus_query("sum(prorl_worker_items_total)")
        except httpx.HTTPError:
            pass
        if (len(up) == API_REPLICAS and len(up_workers) == WORKERS and scored and float(scored[0]["value"][1]) >= 8
                and worker_scored and float(worker_scored[0]["value"][1]) >= 8):
            break
        time.sleep(2)
    assert len(up) == API_REPLICAS, f"Prometheus scrapes {len(up)} of {API_REPLICAS} API replicas: {up}"
    assert len(up_workers) == WORKERS, f"Prometheus scrapes {len(up_workers)} of {WORKERS} workers: {up_workers}"
    assert scored and float(scored[0]["value"][1]) >= 8, scored
    assert worker_scored and float(worker_scored[0]["value"][1]) >= 8, worker_scored
    rules = httpx.get(stack.prometheus_url + "/api/v1/rules", timeout=10).json()["data"]["groups"]
    alerts = {rule["name"] for group in rules for rule in group["rules"]}
    assert {"ProrlNoWorkers", "ProrlInfraErrors", "ProrlQueueGrowing"} <= alerts, alerts


def _post_batch(client: httpx.Client, url: str, batch: list[dict]) -> list[dict]:
    """POST one batch; honour 429/503 Retry-After (bounded), anything else is returned as-is."""
    for _ in range(30):
        response = client.post(url + "/v1/score", json={"items": batch}, timeout=600)
        if response.status_code in (429, 503):
            time.sleep(float(response.headers.get("Retry-After", "1")))
            continue
        assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
        return response.json()["results"]
    raise AssertionError("still refused after 30 Retry-After waits")


def test_golden_sets_through_nginx_survive_killing_an_api_replica_and_a_worker(stack: ComposeStack) -> None:
    items = _golden_items()
    assert items, f"no golden sets under {GOLDEN}"
    expected = score_batch(items, cache=None)

    order = list(range(len(items)))
    random.Random(7).shuffle(order)  # mixed domains in every request, as a trainer sends them
    batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
    answered: dict[int, list[dict]] = {}
    killed: dict[str, str] = {}
    done = threading.Event()
    lock = threading.Lock()

    def killer() -> None:
        # Once a few requests are answered, SIGKILL one API replica and a worker caught mid-chunk.
        while not done.is_set():
            with lock:
                ready = len(answered) >= KILL_AFTER_BATCHES
            worker = stack.busy_worker_container() if ready else None
            if worker is not None:
                api = stack.containers("api")[0]
                stack.kill(api)
                stack.kill(worker)
                with lock:
                    killed.update(api=api, worker=worker, answered=str(len(answered)))
                return
            time.sleep(0.05)

    def send(number: int) -> None:
        with httpx.Client() as client:
            results = _post_batch(client, stack.url, [items[i] for i in batches[number]])
        with lock:
            answered[number] = results

    kill_thread = threading.Thread(target=killer, daemon=True)
    kill_thread.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for future in [pool.submit(send, n) for n in range(len(batches))]:
                future.result()
    except Exception:
        # What was in flight when a request failed: the queue, RQ's taken-not-started list, the logs.
        print(f"killed: {killed}\nqueue length: {stack.redis_cli('LLEN', 'rq:queue:prorl').strip()}\n"
              f"taken, not started: {stack.redis_cli('LRANGE', 'rq:queue:prorl:intermediate', '0', '-1')}\n"
              f"{stack.logs(tail=60)}")
        raise
    finally:
        done.set()
        kill_thread.join(timeout=30)
    elapsed = time.monotonic() - started
    assert killed, "the kill never happened: no worker was seen busy while requests were in flight"
    assert int(killed["answered"]) < len(batches) - CLIENTS, "the kill must happen while requests are in flight"

    # No item lost: one result per item, in order, for every request.
    statuses: Counter[str] = Counter()
    compared, mismatches = 0, []
    for number, batch in enumerate(batches):
        results = answered[number]
        assert [r["id"] for r in results] == [items[i]["id"] for i in batch], f"request {number} lost or reordered"
        for index, got in zip(batch, results, strict=True):
            want = expected[index]
            statuses[got["status"]] += 1
            # infra_error (a chunk lost with its worker) and timeouts (deadlines under a loaded CPU)
            # are not judgements; everything else must be exactly the in-process verdict.
            if got["status"] in ("infra_error", "timeout") or want.status == "timeout":
                continue
            compared += 1
            if (got["reward"], got["correct"], got["status"]) != (want.reward, want.correct, want.status):
                mismatches.append(f"{items[index]['id']}: stack {got['reward']} [{got['status']}] "
                                  f"{got.get('error') or ''} vs in-process {want.reward} [{want.status}]")
    print(f"\ncompose: {len(items)} items in {len(batches)} requests of <= {BATCH} through nginx in "
          f"{elapsed:.1f}s ({len(items) / elapsed:.1f} items/s), killed api {killed['api'][:12]} and worker "
          f"{killed['worker'][:12]} (busy) after {killed['answered']} answers; statuses {dict(statuses)}; "
          f"{compared} compared with in-process, {len(mismatches)} mismatches")
    assert not mismatches, "\n".join(mismatches)
    assert compared >= 0.9 * len(items), f"only {compared}/{len(items)} results were judgements: {dict(statuses)}"

    # The stack keeps serving with what is left (one API replica, one worker).
    with httpx.Client() as client:
        after = _post_batch(client, stack.url, [items[order[0]]])
    assert after[0]["status"] == expected[order[0]].status
