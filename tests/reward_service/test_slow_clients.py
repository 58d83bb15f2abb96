"""Slow clients are bounded (issue #14.5): a real ``prorl serve`` with small header and body deadlines.

Raw sockets play the slow client (half the headers, or the headers and half the body, then nothing):
each gets 408 with a reason and its connection closed, before authentication runs, while ordinary
requests keep being served. The socket reads wait far longer than the configured bounds, so the test
asserts what happens, never how fast.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fixtures.service import ServiceStack

KEY = "slow-client-test-key"
_READ_WAIT_S = 60.0  # the server's bounds are 1 s; this only stops a broken server from hanging the test


@pytest.fixture(scope="module")
def stack(service_log_dir: Any) -> Iterator[ServiceStack]:
    from tests.fixtures.service import start_stack

    stack = start_stack(service_log_dir, {"PRORL_BODY_TIMEOUT_S": "1", "PRORL_HEADER_TIMEOUT_S": "1",
                                          "PRORL_API_KEYS": KEY, "PRORL_MAX_BODY_BYTES": "100000",
                                          "PRORL_CHECK_DOCKER": "false"})
    yield stack
    stack.stop()


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=_READ_WAIT_S)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _status_and_body(raw: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def _score_ok(url: str) -> None:
    response = httpx.post(url + "/v1/score", headers={"Authorization": f"Bearer {KEY}"}, timeout=60, json={
        "items": [{"domain": "math", "response": "\\boxed{4}", "reference": {"answer": "4"}}]})
    assert response.status_code == 200 and response.json()["results"][0]["reward"] == 1.0


def test_stalled_body_gets_408_before_auth_and_others_are_served(stack: ServiceStack) -> None:
    stalled = []
    for _ in range(4):
        sock = _connect(stack.url)
        sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000\r\n\r\n{\"items\": [")
        stalled.append(sock)
    _score_ok(stack.url)  # served while the stalled connections are held
    assert httpx.get(stack.url + "/healthz", timeout=60).status_code == 200
    for sock in stalled:
        with sock:
            status, body = _status_and_body(_read_all(sock))
        assert status == 408 and "PRORL_BODY_TIMEOUT_S" in body["error"]  # not 401: no key was sent


def test_chunked_body_that_stalls_gets_408(stack: ServiceStack) -> None:
    with _connect(stack.url) as sock:
        sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n5\r\n{\"ite\r\n")
        status, body = _status_and_body(_read_all(sock))
    assert status == 408 and "body" in body["error"]


@pytest.mark.parametrize("sent", [b"", b"POST /v1/score HTTP/1.1\r\nHost: t\r\n", b"GET /heal"])
def test_stalled_headers_get_408_and_the_connection_closes(stack: ServiceStack, sent: bytes) -> None:
    with _connect(stack.url) as sock:
        sock.sendall(sent)
        raw = _read_all(sock)  # returns only because the server closed the connection
    status, body = _status_and_body(raw)
    assert status == 408 and "PRORL_HEADER_TIMEOUT_S" in body["error"]
    _score_ok(stack.url)


def test_kept_alive_connection_gets_a_fresh_header_deadline_per_request(stack: ServiceStack) -> None:
    with _connect(stack.url) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        first = b""
        while b"\r\n\r\n" not in first or not first.rstrip().endswith(b"}"):
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost")  # the second request stalls inside its headers
        raw = _read_all(sock)
    assert raw.startswith(b"HTTP/1.1 408")


def test_oversize_content_length_is_refused_before_the_body(stack: ServiceStack) -> None:
    with _connect(stack.url) as sock:
        sock.sendall(b"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            assert chunk, "closed without an answer"
            head += chunk
    assert head.startswith(b"HTTP/1.1 413")
