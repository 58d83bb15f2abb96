"""POST /run_code driven by the real ``sandbox-fusion`` PyPI client against a running service.

The session service (``reward_service_url``) runs programs on the real Docker sandbox; every case
checks SandboxFusion's own status vocabulary as the client parses it (its pydantic models and
``summary_run_code_result``), so a user can swap the URL and keep their code.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sandbox_fusion import (
    RunCodeRequest,
    RunCodeResponse,
    RunStatus,
    SummaryMapping,
    run_code,
    set_endpoint,
    summary_run_code_result,
)

SUMMARY = SummaryMapping(Success="ok", Failed="failed", RunFailed="run_failed", RunTimeout="run_timeout")


@pytest.fixture(scope="module", autouse=True)
def _endpoint(reward_service_url: str) -> Iterator[None]:
    set_endpoint(reward_service_url)  # the client's documented way to point at a server
    yield


def _run(code: str, **kwargs: object) -> RunCodeResponse:
    return run_code(RunCodeRequest(code=code, language=kwargs.pop("language", "python"), **kwargs),
                    max_attempts=1, client_timeout=120)


def test_hello_world() -> None:
    out = _run("print('hello, world')")
    assert out.status == RunStatus.Success and out.message == ""
    assert out.compile_result is None  # python compiles nothing, as in SandboxFusion
    assert out.run_result.status == "Finished" and out.run_result.return_code == 0
    assert out.run_result.stdout == "hello, world\n" and out.run_result.stderr == ""
    assert out.run_result.execution_time is not None and out.run_result.execution_time > 0
    assert summary_run_code_result(out, SUMMARY) == "ok"


def test_stdin_reaches_the_program() -> None:
    code = "import sys\nn = int(input())\nprint(sum(map(int, sys.stdin.read().split()[:n])))"
    out = _run(code, stdin="3\n1 2 3 100\n")
    assert out.status == RunStatus.Success and out.run_result.stdout == "6\n"


def test_non_zero_exit_and_exceptions_fail_with_their_code() -> None:
    exited = _run("import sys\nprint('partial')\nsys.exit(3)")
    assert exited.status == RunStatus.Failed
    assert exited.run_result.status == "Finished" and exited.run_result.return_code == 3
    assert exited.run_result.stdout == "partial\n"
    assert summary_run_code_result(exited, SUMMARY) == "run_failed"
    raised = _run("def f():\n    raise ValueError('boom')\nf()")
    assert raised.status == RunStatus.Failed and raised.run_result.return_code == 1
    assert "ValueError: boom" in raised.run_result.stderr and 'File "main.py", line 2' in raised.run_result.stderr


def test_python3_alias_runs_too(reward_service_url: str) -> None:
    # The PyPI client's Language literal has no "python3", so post the body as any HTTP client would.
    body = {"code": "print(6 * 7)", "language": "python3"}
    out = RunCodeResponse(**httpx.post(f"{reward_service_url}/run_code", json=body, timeout=60).json())
    assert out.status == RunStatus.Success and out.run_result.stdout == "42\n"


@pytest.mark.parametrize("code", ["while True:\n    pass", "import time\ntime.sleep(3600)"])
def test_time_limit_is_enforced(code: str) -> None:
    started = time.monotonic()
    out = _run(code, run_timeout=1)
    assert time.monotonic() - started < 30  # killed: neither the hour nor a hang
    assert out.status == RunStatus.Failed
    assert out.run_result.status == "TimeLimitExceeded" and out.run_result.return_code is None
    assert summary_run_code_result(out, SUMMARY) == "run_timeout"


def test_memory_bomb_fails_and_memory_limit_is_honoured(reward_service_url: str) -> None:
    bomb = _run("x = bytearray(8 * 1024 ** 3)\nprint('allocated')")
    assert bomb.status == RunStatus.Failed and bomb.run_result.return_code != 0
    assert "allocated" not in bomb.run_result.stdout and "MemoryError" in bomb.run_result.stderr
    # The PyPI client has no memory_limit_MB field; verl sends it in a raw body. 100 MB fits under
    # 256 MB but not under 64 MB: the request's limit decides (never above the sandbox's own cap).
    code = "x = bytearray(100 * 1024 ** 2)\nprint(len(x))"
    for limit, status in ((256, "Success"), (64, "Failed")):
        body = {"code": code, "language": "python", "memory_limit_MB": limit}
        assert httpx.post(f"{reward_service_url}/run_code", json=body, timeout=60).json()["status"] == status


def test_fork_bomb_is_contained_and_the_service_survives() -> None:
    code = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    out = _run(code, run_timeout=0.5)  # a runnable bomb is stopped by the hard wall limit, 5 x t + 5 s
    assert out.status == RunStatus.Failed
    assert _run("print('still here')").run_result.stdout == "still here\n"


def test_network_is_unreachable() -> None:
    code = (
        "import socket\n"
        "for host, port in [('1.1.1.1', 53), ('8.8.8.8', 443), ('172.17.0.1', 2375)]:\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=1)\n"
        "        print('connected', host)\n"
        "    except OSError:\n"
        "        print('blocked')\n"
    )
    out = _run(code, run_timeout=5)
    assert out.status == RunStatus.Success
    assert out.run_result.stdout == "blocked\nblocked\nblocked\n"


def test_large_output_arrives_whole_below_the_cap_and_is_cut_above_it() -> None:
    big = _run("import sys\nsys.stdout.write('x' * (2 * 1024 * 1024))")
    assert big.status == RunStatus.Success and big.run_result.stdout == "x" * (2 * 1024 * 1024)
    flood = _run("import sys\nwhile True:\n    sys.stdout.write('y' * 65536)", run_timeout=5)
    assert flood.status == RunStatus.Failed
    assert flood.run_result.return_code == -9 and "OUTPUT_LIMIT" in flood.run_result.stderr
    assert len(flood.run_result.stdout) <= 8 * 1024 * 1024


def test_files_in_and_fetch_files_out() -> None:
    code = (
        "import os\n"
        "data = open('input/data.txt').read()\n"
        "os.makedirs('out', exist_ok=True)\n"
        "open('out/result.txt', 'w').write(data.upper())\n"
        "print('done', end='')\n"
    )
    files = {"input/data.txt": base64.b64encode(b"abc\n").decode(), "skipped.txt": None}
    out = _run(code, files=files, fetch_files=["out/result.txt", "input/data.txt", "missing.txt"])
    assert out.status == RunStatus.Success
    assert out.run_result.stdout == "done"  # the fetched files never leak into stdout
    assert {k: base64.b64decode(v) for k, v in out.files.items()} == {"out/result.txt": b"ABC\n",
                                                                      "input/data.txt": b"abc\n"}
    # Files are fetched also when the program fails (as SandboxFusion does after any exit).
    failed = _run("open('log.txt', 'w').write('trace')\nraise SystemExit(4)", fetch_files=["log.txt"])
    assert failed.status == RunStatus.Failed and failed.run_result.return_code == 4
    assert base64.b64decode(failed.files["log.txt"]) == b"trace" and failed.run_result.stdout == ""


def test_unsupported_and_unknown_languages(reward_service_url: str) -> None:
    # A SandboxFusion language this service does not run: SandboxFusion's SandboxError, which its
    # client raises (and retries) and verl never learns from.
    with pytest.raises(Exception, match="unsupported language 'java'"):
        _run("class Main { public static void main(String[] a) {} }", language="java")
    raw = httpx.post(f"{reward_service_url}/run_code", json={"code": "x", "language": "java"}, timeout=30)
    assert raw.status_code == 200 and raw.json()["status"] == "SandboxError" and raw.json()["run_result"] is None
    # A name SandboxFusion itself does not know: 422, as SandboxFusion's own validation answers.
    unknown = httpx.post(f"{reward_service_url}/run_code", json={"code": "x", "language": "fortran"}, timeout=30)
    assert unknown.status_code == 422 and "unknown language 'fortran'" in unknown.json()["error"]
    bad_b64 = httpx.post(f"{reward_service_url}/run_code", timeout=30,
                         json={"code": "x", "language": "python", "files": {"a": "***"}})
    assert bad_b64.json()["status"] == "SandboxError" and "base64" in bad_b64.json()["message"]


def test_odd_inputs_get_a_clear_answer(reward_service_url: str) -> None:
    def post(raw: str) -> dict:
        response = httpx.post(f"{reward_service_url}/run_code", content=raw, timeout=60,
                              headers={"content-type": "application/json"})
        assert response.status_code == 200, response.text
        return response.json()

    lone = post('{"code": "print(input())", "language": "python", "stdin": "\\ud800"}')
    # a lone surrogate is replaced with U+FFFD at intake (as for scoring items): the program runs
    assert lone["status"] == "Success" and lone["run_result"]["stdout"] == "\ufffd\n"
    nul = post('{"code": "x\\u0000", "language": "python"}')
    assert nul["status"] == "Failed" and "null bytes" in nul["run_result"]["stderr"]
    huge = post('{"code": "print(1)", "language": "python", "run_timeout": 1e308, "memory_limit_MB": 99999999999}')
    assert huge["status"] == "Success"  # clamped to the sandbox's own limits
    bad_path = post('{"code": "print(1)", "language": "python", "files": {"a\\u0000b": ""}}')
    assert bad_path["status"] == "Failed" and "null byte" in bad_path["run_result"]["stderr"]


def test_run_code_is_measured(reward_service_url: str) -> None:
    _run("print(1)")
    text = httpx.get(f"{reward_service_url}/metrics", timeout=30).text
    assert 'prorl_run_code_requests_total{status="Success"}' in text
    assert 'prorl_http_requests_total{code="200",route="/run_code"}' in text
    assert "prorl_run_code_seconds_bucket" in text


def test_auth_body_cap_and_backpressure(inprocess_service: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRORL_SANDBOX_POOL_SIZE", "1")  # this process's own sandbox: one warm container is enough
    service = inprocess_service(api_keys="k-one", max_body_bytes=4096, max_inflight_items=1)  # type: ignore[operator]
    host = service.url.removeprefix("http://")
    cheap = {"code": "x", "language": "java"}  # answered without touching the sandbox
    assert httpx.post(f"{service.url}/run_code", json=cheap).status_code == 401
    assert httpx.post(f"{service.url}/run_code?api_key=nope", json=cheap).status_code == 401
    # SandboxFusion clients cannot send headers: the key travels in the URL they are given.
    assert httpx.post(f"{service.url}/run_code?api_key=k-one", json=cheap).status_code == 200
    with pytest.raises(Exception, match="unsupported language"):
        run_code(RunCodeRequest(code="x", language="java"), endpoint=f"http://prorl:k-one@{host}", max_attempts=1)
    with pytest.raises(Exception, match="401"):
        run_code(RunCodeRequest(code="x", language="java"), endpoint=f"http://prorl:wrong@{host}", max_attempts=1)
    headers = {"Authorization": "Bearer k-one"}
    huge = {"code": "#" * 10_000, "language": "python"}
    assert httpx.post(f"{service.url}/run_code", json=huge, headers=headers).status_code == 413
    # One program in flight fills a cap of one item: the next request is refused with 429, not queued.
    slow = threading.Thread(target=httpx.post, args=(f"{service.url}/run_code",),
                            kwargs={"json": {"code": "import time\ntime.sleep(2)", "language": "python",
                                             "run_timeout": 3}, "headers": headers, "timeout": 60})
    slow.start()
    try:
        deadline = time.monotonic() + 30
        while service.app.state.limiter.inflight == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        busy = httpx.post(f"{service.url}/run_code", json=cheap, headers=headers)
        assert busy.status_code == 429 and busy.headers["retry-after"]
    finally:
        slow.join(timeout=60)
