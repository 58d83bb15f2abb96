"""Bounding slow clients: a connection that never finishes its request must not be held forever.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``) and the number of connections
(``limit_concurrency``), but not the time a client takes to send its request: a client that sends half
its headers, or its headers and half its body, and then stalls holds a connection (and, for a body,
an ASGI task) indefinitely, before authentication ever runs. Two bounds close that:

- the request headers: :class:`HeaderTimeoutProtocol`, uvicorn's httptools protocol with a timer from the
  first byte of a request (or the connection's start) to the end of its headers: past
  ``PRORL_HEADER_TIMEOUT_S`` the client gets 408 and the connection is closed;
- the request body: :class:`reward_service.http_middleware.ServiceMiddleware` gives reading the whole body
  ``PRORL_BODY_TIMEOUT_S`` (408 with a JSON error; over-size bodies are refused by Content-Length first).

Behind nginx (deploy/nginx) ``client_header_timeout`` and ``client_body_timeout`` do the same at the edge.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _timeout_response(message: str) -> bytes:
    body = json.dumps({"error": message}).encode()
    head = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n")
    return head + body


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """httptools' HTTP/1.1 protocol plus a deadline on receiving each request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from reward_service.settings import get_settings

        self._header_timeout_s = get_settings().header_timeout_s
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self._header_timeout_s, self._headers_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(_timeout_response(
                f"request headers not received within {self._header_timeout_s:g}s (PRORL_HEADER_TIMEOUT_S)"))
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()  # a connection that never sends a byte is bounded too

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()  # each request on a kept-alive connection gets its own deadline

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # Between requests the keep-alive timeout applies; the next request's first byte re-arms ours.
        self._cancel_header_timer()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)
