"""Where every route hands work to the executor: admit, score, release, answer.

The ``/v1`` routes and the compatibility routes (``reward_service/compat/``) translate their own
bodies and then all go through :func:`score_items`, so auth aside, every protocol gets the same
limits, executor and metrics. Routes import this module; it never imports a route, so the app and
its compatibility routers form no import circle.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from reward_service.admission import reserve_inflight
from verifiers.schemas import Item, Result


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """Serialise a pydantic model once (no second validation pass through response_model)."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


async def score_items(request: Request, items: list[Item]) -> list[Result]:
    """Admit, score and release: the one path every scoring route (and compat route) goes through."""
    limiter = await reserve_inflight(request, len(items))
    try:
        return await request.app.state.executor.score(items)
    finally:
        limiter.release(len(items))
