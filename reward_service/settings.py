"""Service configuration: every knob is a ``PRORL_*`` environment variable (pydantic-settings).

Defaults are safe for one machine: bind to loopback, no Redis (embedded executor), bounded request
sizes and bounded in-flight work so a burst of trainer ranks gets 429s instead of an OOM.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All service settings; see docs/service.md for the table."""

    model_config = SettingsConfigDict(env_prefix="PRORL_", extra="ignore")

    host: str = Field("127.0.0.1", description="Bind address; loopback unless you mean to expose it.")
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1, description="uvicorn worker processes (each has its own scoring pool).")
    api_keys: str = Field("", description="Comma-separated bearer keys; empty = no auth.")
    redis_url: str | None = Field(None, description="Set to use the RQ executor (e.g. redis://127.0.0.1:6379/0).")
    queue: str = Field("prorl", description="RQ queue name shared by the API and `prorl worker`.")
    chunk_size: int = Field(64, ge=1, le=4096, description="Items per RQ job (rq executor).")
    max_items: int = Field(8192, ge=1, description="Items per request; more -> 413.")
    max_body_bytes: int = Field(64 * 1024 * 1024, ge=1024, description="Request body cap; larger -> 413.")
    max_inflight_items: int = Field(32768, ge=1, description="Items being scored at once; more -> 429.")
    retry_after_s: int = Field(2, ge=1, description="Retry-After sent with 429/503.")
    timeout_s: float | None = Field(None, gt=0, description="Deadline for every item without its own.")
    domain_timeouts: dict[str, float] = Field(
        default_factory=dict, description='Per-domain deadlines, JSON: {"math": 10, "code": 60}.'
    )
    request_timeout_s: float = Field(900.0, gt=0, description="Give up on a /v1/score batch after this long.")
    chunk_timeout_s: float = Field(600.0, gt=0, description="RQ job timeout for one chunk (worker side).")
    chunk_attempts: int = Field(2, ge=1, description="Times a chunk is run when its worker dies mid-chunk.")
    lease_ttl_s: float = Field(10.0, gt=0, description="A chunk whose worker stops renewing its lease this long is lost.")
    job_ttl_s: int = Field(3600, ge=60, description="How long finished /v1/jobs results are kept.")
    check_docker: bool = Field(True, description="/readyz requires a reachable Docker engine (code items).")
    header_timeout_s: float = Field(30.0, gt=0, description="A client must send a request's headers within this "
                                    "long, else 408 and the connection is closed.")
    body_timeout_s: float = Field(60.0, gt=0, description="A client must send a request's whole body within this "
                                  "long, else 408 (before authentication runs).")
    keep_alive_s: float = Field(5.0, gt=0, description="Idle keep-alive connections are closed after this long.")
    limit_concurrency: int = Field(1024, ge=1, description="Connections plus requests in progress per process; "
                                   "more -> 503.")
    log_level: str = Field("INFO")

    @field_validator("domain_timeouts")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for domain, seconds in value.items():
            if seconds <= 0:
                raise ValueError(f"timeout for {domain!r} must be > 0")
        return value

    @property
    def api_key_list(self) -> list[str]:
        return [key.strip() for key in self.api_keys.split(",") if key.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process from the environment."""
    return Settings()  # type: ignore[call-arg]  # every field has a default; mypy cannot see pydantic's
