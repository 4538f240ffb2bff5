"""The warehouse simulator's outbox: posts signed events to the app's webhook, never drops one.

Events of one order go out one at a time in the order they happened (different orders do not
wait for each other). A failed post (connection error, timeout, 5xx, 408, 429) is retried with
exponential backoff, honouring Retry-After, and re-signed each time so the timestamp stays inside
the app's replay window. The event id stays the same, so a retry after a lost answer is harmless.
Any other 4xx is a permanent refusal: logged and kept in ``rejected`` (the app said no, and
sending the same bytes again cannot change its mind). Events live in memory: stopping the
simulator forgets what it had not delivered yet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence

import httpx

from backend.warehouse.client import retry_after_seconds
from backend.warehouse.protocol import WarehouseEvent, encode
from backend.warehouse.signing import signature_headers

log = logging.getLogger("fsc.warehouse_sim")

RETRY_STATUSES = frozenset({408, 429})
MAX_BACKOFF_S = 30.0


class EventOutbox:
    def __init__(
        self,
        http: httpx.AsyncClient,
        webhook_url: str,
        secrets: Sequence[bytes],
        first_backoff_s: float = 1.0,
        max_backoff_s: float = MAX_BACKOFF_S,
    ) -> None:
        self._http = http
        self._url = webhook_url
        self._secrets = list(secrets)
        self._first_backoff_s = first_backoff_s
        self._max_backoff_s = max_backoff_s
        self._queues: dict[int, deque[WarehouseEvent]] = {}
        self._senders: dict[int, asyncio.Task[None]] = {}
        self.delivered = 0
        self.rejected: list[tuple[str, int]] = []
        """(event id, HTTP status) of events the app refused for good."""

    @property
    def pending(self) -> int:
        """Events waiting to be delivered (including any being posted right now)."""
        return sum(len(queue) for queue in self._queues.values())

    def submit(self, event: WarehouseEvent) -> None:
        """Queue an event behind the order's earlier ones; returns at once."""
        self._queues.setdefault(event.order_id, deque()).append(event)
        if event.order_id not in self._senders:
            self._senders[event.order_id] = asyncio.create_task(self._drain(event.order_id))

    async def _drain(self, order_id: int) -> None:
        queue = self._queues[order_id]
        try:
            while queue:
                await self._deliver(queue[0])
                queue.popleft()
        finally:
            if not queue:
                del self._queues[order_id]
            del self._senders[order_id]

    async def _deliver(self, event: WarehouseEvent) -> None:
        body = encode(event)
        delay = self._first_backoff_s
        signed_at = 0.0
        while True:
            # A distinct timestamp per attempt: no two attempts share a signature, so an app that
            # refuses an exact replay still sees each retry as new (1 s ahead is within its skew).
            signed_at = max(float(int(time.time())), signed_at + 1)
            headers = {"Content-Type": "application/json", **signature_headers(self._secrets, body, now=signed_at)}
            wait: float | None = None
            try:
                response = await self._http.post(self._url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                log.warning("event %s not delivered (%s); retrying in %.2fs", event.event_id, exc, delay)
            else:
                status = response.status_code
                if status < 300:
                    self.delivered += 1
                    return
                if 400 <= status < 500 and status not in RETRY_STATUSES:
                    log.error("the app refused event %s with HTTP %s: %s", event.event_id, status, response.text[:300])
                    self.rejected.append((event.event_id, status))
                    return
                wait = retry_after_seconds(response.headers.get("retry-after"))
                log.warning("event %s got HTTP %s; retrying in %.2fs", event.event_id, status, wait or delay)
            await asyncio.sleep(min(self._max_backoff_s, max(delay, wait or 0.0)))
            delay = min(self._max_backoff_s, delay * 2)

    async def aclose(self) -> None:
        """Stop sending (undelivered events are dropped with the process)."""
        tasks = list(self._senders.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.pending:
            log.warning("stopping with %d undelivered events", self.pending)
