"""Sending Web Push messages: pywebpush's async API over ONE shared aiohttp session.

The worker creates one ``PushSender`` (one connection pool to the push services for the whole
process; ``close()`` it at shutdown). Concurrency is bounded by a semaphore; VAPID tokens are
cached per push service origin; payloads are encrypted with aes128gcm (RFC 8291). Encrypting a
message is a few hundred microseconds of CPU, so it runs inline; all network I/O is awaited
(nothing blocks the loop). The sender classifies each answer; what to do with it (delete, retry,
record) is the caller's.

Only push services are reached: an endpoint outside the allow-list is not sent to
(``endpoints.EndpointPolicy``), the session's resolver connects only to public addresses
(``resolver.PublicAddressResolver``), redirects are not followed and no proxy from the
environment is used. Either refusal is ``Outcome.BLOCKED``: no request was made.
"""

from __future__ import annotations

import asyncio
import email.utils
import enum
import logging
import time

import aiohttp
from pywebpush import WebPusher, WebPushException

from backend.push.endpoints import EndpointPolicy
from backend.push.resolver import BlockedAddress, PublicAddressResolver
from backend.push.vapid import VapidSigner

log = logging.getLogger("fsc.push")

MAX_PAYLOAD_BYTES = 3800  # plaintext; encrypted it stays below the 4096 bytes push services accept


class Outcome(enum.Enum):
    SENT = "sent"          # 200/201/202: the push service took it
    GONE = "gone"          # 404/410: the subscription is dead; delete it
    RETRY = "retry"        # 429, 5xx, timeouts, network errors: try again later
    FAILED = "failed"      # any other 4xx or a 3xx (bad request, VAPID refused, payload too large): logged
    BLOCKED = "blocked"    # not sent: not an allowed push service, or no public address; retried like RETRY


class Target:
    """One device to send to (a push_subscription row)."""

    __slots__ = ("id", "endpoint", "p256dh", "auth")

    def __init__(self, id: int, endpoint: str, p256dh: str, auth: str) -> None:  # noqa: A002
        self.id = id
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth


class Result:
    __slots__ = ("target", "outcome", "status", "retry_after_s", "seconds")

    def __init__(self, target: Target, outcome: Outcome, status: int, retry_after_s: float | None,
                 seconds: float) -> None:
        self.target = target
        self.outcome = outcome
        self.status = status
        self.retry_after_s = retry_after_s
        self.seconds = seconds


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify(status: int) -> Outcome:
    if status in (200, 201, 202):
        return Outcome.SENT
    if status in (404, 410):
        return Outcome.GONE
    if status == 429 or status >= 500 or status == 408:
        return Outcome.RETRY
    return Outcome.FAILED


class _NoRedirects:
    """What pywebpush calls (``aiohttp_session.post``), without following redirects: a push service
    never redirects, and the new address would be one nobody checked against the allow-list."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    def post(self, url: str, **kwargs):  # noqa: ANN201 - aiohttp's request context manager
        return self._session.post(url, allow_redirects=False, **kwargs)


class PushSender:
    """Encrypt, sign and post push messages through one shared aiohttp session.

    ``max_attempts`` is the retry bound the jobs apply (FSC_PUSH_MAX_ATTEMPTS, see ``jobs.settle``)."""

    def __init__(self, private_key: str, subject: str, *, policy: EndpointPolicy, concurrency: int = 64,
                 timeout_s: float = 10.0, max_attempts: int = 30) -> None:
        self.signer = VapidSigner(private_key, subject)
        self.policy = policy
        self.max_attempts = max_attempts
        self.semaphore = asyncio.Semaphore(concurrency)
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        # The process's one session: keep-alive connections, a pool as large as the concurrency;
        # trust_env stays off, so no proxy from the environment carries the requests elsewhere.
        connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency, ttl_dns_cache=300,
                                         resolver=PublicAddressResolver(policy.allow_localhost))
        self.session = aiohttp.ClientSession(connector=connector, raise_for_status=False, trust_env=False)
        self._poster = _NoRedirects(self.session)

    async def close(self) -> None:
        await self.session.close()

    async def send(self, target: Target, data: bytes, *, ttl: int, urgency: str, topic: str | None) -> Result:
        if len(data) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"push payload of {len(data)} bytes is too large")
        refusal = self.policy.refusal(target.endpoint)
        if refusal is not None:
            log.warning("push to subscription %s not sent: its endpoint is %s", target.id, refusal.value)
            return Result(target, Outcome.BLOCKED, 0, None, 0.0)
        headers = dict(self.signer.headers(target.endpoint))
        headers["Urgency"] = urgency
        if topic:
            headers["Topic"] = topic
        subscription = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        async with self.semaphore:
            started = time.perf_counter()
            try:
                pusher = WebPusher(subscription, aiohttp_session=self._poster)
                response = await pusher.send_async(data, headers, ttl=ttl, timeout=self.timeout)
            except aiohttp.ClientConnectorDNSError as exc:
                if isinstance(exc.__cause__, BlockedAddress):
                    log.warning("push to subscription %s not sent: %s", target.id, exc.__cause__)
                    return Result(target, Outcome.BLOCKED, 0, None, time.perf_counter() - started)
                log.info("push to subscription %s failed to resolve: %s", target.id, exc)
                return Result(target, Outcome.RETRY, 0, None, time.perf_counter() - started)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                log.info("push to subscription %s failed to connect: %s", target.id, exc)
                return Result(target, Outcome.RETRY, 0, None, time.perf_counter() - started)
            except (WebPushException, ValueError) as exc:  # unusable keys stored for the device
                log.warning("push to subscription %s refused locally: %s", target.id, exc)
                return Result(target, Outcome.GONE, 0, None, time.perf_counter() - started)
            elapsed = time.perf_counter() - started
        outcome = classify(response.status)
        if outcome is Outcome.FAILED:
            log.warning("push service refused subscription %s: HTTP %s", target.id, response.status)
        return Result(target, outcome, response.status, retry_after_seconds(response.headers.get("Retry-After")),
                      elapsed)

    async def send_many(self, targets: list[tuple[Target, bytes]], *, ttl: int, urgency: str,
                        topic: str | None) -> list[Result]:
        """Send to many devices at once (bounded by the semaphore); one result per target, in order."""
        return list(await asyncio.gather(*(self.send(t, data, ttl=ttl, urgency=urgency, topic=topic)
                                           for t, data in targets)))
