"""The app's side of the warehouse API: send pick lists and withdrawals, classify the answers.

The worker's job handler calls ``send_pick_list`` / ``withdraw`` and acts on ``Result.outcome``:

- ``accepted``          done (202 for a new pick list; 200 for a withdrawal)
- ``already_accepted``  done: the warehouse had it already (200 on a repeated pick list)
- ``rejected``          permanent: a 4xx other than 408/429 (bad request, bad signature, a
                        withdrawal too late: 409 once picking started); retrying cannot help
- ``retry_later``       transient: connection error, timeout, 5xx, 408 or 429; try again after
                        ``retry_after_s`` when the warehouse said so (Retry-After), else with backoff

Requests are signed (``signing``); the caller owns the httpx.AsyncClient (timeouts, pooling).
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Sequence
from enum import StrEnum

import httpx
import msgspec

from backend.warehouse.protocol import Acceptance, BackorderDecision, PickList, Withdrawal, WithdrawalResult, encode
from backend.warehouse.signing import signature_headers

PICK_LISTS_PATH = "/v1/pick-lists"
WITHDRAWALS_PATH = "/v1/withdrawals"
BACKORDER_DECISIONS_PATH = "/v1/backorder-decisions"
TRANSIENT_4XX = frozenset({408, 429})


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ACCEPTED = "already_accepted"
    REJECTED = "rejected"
    RETRY_LATER = "retry_later"


class Result(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    status_code: int | None
    """The HTTP status; None when no answer came (connection error, timeout)."""
    detail: str
    """One line for logs and for the operator: what the warehouse said, or what went wrong."""
    retry_after_s: float | None = None
    """Seconds the warehouse asked us to wait (Retry-After), for ``retry_later``."""
    acceptance: Acceptance | None = None
    withdrawal: WithdrawalResult | None = None

    @property
    def done(self) -> bool:
        """The warehouse has it (accepted now or earlier): the job is finished."""
        return self.outcome in (Outcome.ACCEPTED, Outcome.ALREADY_ACCEPTED)


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None when absent/invalid."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _problem_detail(response: httpx.Response) -> str:
    try:
        problem = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(problem, dict):
        parts = [str(problem.get(key)) for key in ("title", "detail") if problem.get(key)]
        for error in problem.get("errors") or []:
            if isinstance(error, dict):
                parts.append(f"{error.get('field') or 'body'}: {error.get('message')}")
        if parts:
            return "; ".join(parts)[:500]
    return response.text[:200]


class WarehouseClient:
    def __init__(self, base_url: str, secret: bytes | str | Sequence[bytes | str], http_client: httpx.AsyncClient):
        self._base_url = base_url.rstrip("/")
        self._secret = secret
        self._http = http_client

    async def send_pick_list(self, pick_list: PickList) -> Result:
        """POST the pick list; 202 → accepted, 200 → already_accepted (same order id seen before)."""
        response = await self._post(PICK_LISTS_PATH, encode(pick_list))
        if isinstance(response, Result):
            return response
        if response.status_code in (200, 201, 202):
            try:
                acceptance = msgspec.json.decode(response.content, type=Acceptance)
            except msgspec.MsgspecError as exc:
                return Result(outcome=Outcome.RETRY_LATER, status_code=response.status_code,
                              detail=f"unreadable acceptance from the warehouse: {exc}")
            outcome = Outcome.ALREADY_ACCEPTED if response.status_code == 200 else Outcome.ACCEPTED
            return Result(outcome=outcome, status_code=response.status_code,
                          detail=f"accepted as {acceptance.warehouse_ref}", acceptance=acceptance)
        return self._failure(response)

    async def withdraw(self, order_id: int, reason: str) -> Result:
        """POST a withdrawal; 200 → accepted (also when it was withdrawn before), 409 → rejected."""
        response = await self._post(WITHDRAWALS_PATH, encode(Withdrawal(order_id=order_id, reason=reason)))
        if isinstance(response, Result):
            return response
        if response.status_code in (200, 202):
            try:
                result = msgspec.json.decode(response.content, type=WithdrawalResult)
            except msgspec.MsgspecError as exc:
                return Result(outcome=Outcome.RETRY_LATER, status_code=response.status_code,
                              detail=f"unreadable withdrawal answer from the warehouse: {exc}")
            return Result(outcome=Outcome.ACCEPTED, status_code=response.status_code, detail="withdrawn",
                          withdrawal=result)
        return self._failure(response)

    async def send_backorder_decision(self, order_id: int, decision: str) -> Result:
        """POST the citizen's answer to a backorder: ``wait`` or ``split``; 200 → accepted."""
        body = encode(BackorderDecision(order_id=order_id, decision=decision))  # type: ignore[arg-type]
        response = await self._post(BACKORDER_DECISIONS_PATH, body)
        if isinstance(response, Result):
            return response
        if response.status_code == 200:
            return Result(outcome=Outcome.ACCEPTED, status_code=200, detail=f"decision {decision} accepted")
        return self._failure(response)

    async def _post(self, path: str, body: bytes) -> httpx.Response | Result:
        headers = {"Content-Type": "application/json", **signature_headers(self._secret, body)}
        try:
            return await self._http.post(self._base_url + path, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            return Result(outcome=Outcome.RETRY_LATER, status_code=None, detail=f"timeout: {exc!r}")
        except httpx.HTTPError as exc:
            return Result(outcome=Outcome.RETRY_LATER, status_code=None, detail=f"no connection: {exc!r}")

    @staticmethod
    def _failure(response: httpx.Response) -> Result:
        status = response.status_code
        detail = f"HTTP {status}: {_problem_detail(response)}"
        if status >= 500 or status in TRANSIENT_4XX or status < 200:
            return Result(outcome=Outcome.RETRY_LATER, status_code=status, detail=detail,
                          retry_after_s=retry_after_seconds(response.headers.get("retry-after")))
        if 400 <= status < 500:
            return Result(outcome=Outcome.REJECTED, status_code=status, detail=detail)
        # 2xx/3xx we did not expect (e.g. a redirect: the URL is misconfigured): not accepted.
        return Result(outcome=Outcome.REJECTED, status_code=status, detail=f"unexpected answer: {detail}")
