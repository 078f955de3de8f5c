"""A stand-in HTTP API for golden cases, served in-process by `httpx.MockTransport`.

No network: `client()` returns an `httpx.AsyncClient` whose transport is an async
handler over a small in-memory store (users, teams, notes). Each request is held in
flight for a moment (the handler awaits), so requests sent together overlap and
requests awaited one after another never do. `recording()` makes the clients it covers
share one service and counts the most requests in flight at once
(test_gather_concurrency reads it); nothing is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator

import httpx

BASE_URL = "http://api.test"


class Service:
    """The API's state and the requests it served, with the most ever in flight."""

    def __init__(self, latency: float = 0.01, patience: float = 0.0) -> None:
        self.latency = latency
        self.patience = patience  # hold a request until a partner is in flight
        self.now = 0
        self.peak = 0
        self.requests: list[str] = []
        self.users = {1: {"id": 1, "name": "ada", "team": 10}, 2: {"id": 2, "name": "bo", "team": 20}}
        self.teams = {10: {"id": 10, "name": "core"}, 20: {"id": 20, "name": "docs"}}
        self.notes: list[dict] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        self.requests.append(f"{request.method} {request.url.path}")
        try:
            await self._hold()
            return self._answer(request)
        finally:
            self.now -= 1

    async def _hold(self) -> None:
        await asyncio.sleep(self.latency)
        waited = self.latency
        while self.now < 2 and waited < self.patience:
            await asyncio.sleep(self.latency)
            waited += self.latency

    def _answer(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST" and parts == ["notes"]:
            note = {"id": len(self.notes) + 1, **json.loads(request.content)}
            self.notes.append(note)
            return httpx.Response(201, json=note)
        if request.method != "GET":
            return httpx.Response(405)
        if parts == ["notes"]:
            return httpx.Response(200, json=list(self.notes))
        table = {"users": self.users, "teams": self.teams}.get(parts[0])
        if table is not None and len(parts) == 2 and parts[1].isdigit():
            row = table.get(int(parts[1]))
            if row is not None:
                return httpx.Response(200, json=row)
        return httpx.Response(404, json={"detail": "not found"})


_RECORDING: Service | None = None


def client() -> httpx.AsyncClient:
    """A client of the stand-in API: of the recorded service, else of a fresh one."""
    service = _RECORDING or Service()
    return httpx.AsyncClient(base_url=BASE_URL, transport=httpx.MockTransport(service.handle))


@contextlib.contextmanager
def recording(patience: float = 0.0) -> Iterator[Service]:
    global _RECORDING
    service = Service(patience=patience)
    _RECORDING = service
    try:
        yield service
    finally:
        _RECORDING = None
