"""Structured logs: one JSON object per line on stdout, tied to a request or a task.

Every line carries the request id (``X-Request-ID``, also returned to the client),
the user id when known, and, inside Celery tasks, the task id and the ids the task
was called with (``submission_id``, ``session_id``, ...). A request's id travels with
the tasks it enqueues, so one grep follows a submission from the API to the worker.

Nothing secret and nothing a candidate wrote may reach the logs: log calls log ids
and sizes, never sources or answers, and ``RedactionFilter`` masks secrets (the
settings' keys, tokens, passwords, Authorization headers, credentials in URLs) that
slip into a message or a traceback anyway.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

log = logging.getLogger("mockloop.request")

# The fields a log line may carry beyond time, level, logger and message, in order.
CONTEXT_FIELDS = ("request_id", "user_id", "task_id", "task", "submission_id", "session_id", "answer_id", "delivery_id")
# Task arguments that are worth a column of their own: ids, never payloads.
_TASK_ID_ARGUMENTS = ("submission_id", "session_id", "answer_id", "delivery_id")
_REQUEST_ID_HEADER = "request_id"

_context: ContextVar[dict[str, Any] | None] = ContextVar("mockloop_log_context", default=None)
# The request being served, so the filter can name its user once authentication ran.
_request: ContextVar[HttpRequest | None] = ContextVar("mockloop_log_request", default=None)

# A request id from outside is kept only if it is short and plain: it is echoed in a
# header and written to every log line, so no newlines, spaces or markup.
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def log_context() -> dict[str, Any]:
    """The ids bound to the current request or task (a copy)."""
    return dict(_context.get() or {})


@contextmanager
def log_context_bound(**fields: Any) -> Iterator[None]:
    """Adds ids to every log line written inside the block."""
    token = _context.set({**(_context.get() or {}), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def request_id_clean(raw: str | None) -> str | None:
    """The incoming X-Request-ID if it is sane, else None (and a new one is made)."""
    if raw and _REQUEST_ID_RE.fullmatch(raw):
        return raw
    return None


class RequestIdMiddleware:
    """Gives every request an id, binds it to the log context, returns it in ``X-Request-ID``
    and writes one line per request (route, not path: paths can hold invitation tokens)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_clean(request.headers.get("X-Request-ID")) or uuid.uuid4().hex
        request.request_id = request_id
        context_token = _context.set({"request_id": request_id})
        request_token = _request.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            log.info(
                "%s %s %s",
                request.method,
                f"/{match.route}" if match else "(no route)",
                response.status_code,
                extra={"status": response.status_code, "duration_ms": round((time.monotonic() - started) * 1000, 1)},
            )
        finally:
            _request.reset(request_token)
            _context.reset(context_token)
        response["X-Request-ID"] = request_id
        return response


def _known_user_id(request: HttpRequest | None) -> int | None:
    """The signed-in user's id if authentication already ran. Never triggers it: a log
    line must not cost a database query (or fail because the database is down)."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # Django's lazy user, evaluated or not
    if wrapped is None or type(wrapped).__name__ == "object":  # not evaluated yet (django.utils.functional.empty)
        return None
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    """Copies the request/task ids onto each record (None when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        for field in CONTEXT_FIELDS:
            if getattr(record, field, None) is None:
                setattr(record, field, context.get(field))
        if getattr(record, "user_id", None) is None:
            record.user_id = _known_user_id(_request.get())
        return True


# --- redaction ---------------------------------------------------------------------

_MASK = "[redacted]"
# Settings and environment variables whose values are secrets.
_SECRET_NAME_RE = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL)", re.IGNORECASE)
_SECRET_SETTINGS = ("SECRET_KEY", "OPENAI_API_KEY")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization: Token abc / Bearer abc / Basic abc (headers, dumped requests)
    (re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?)(?:\w+\s+)?[^\s\"',}]+"), r"\1" + _MASK),
    (re.compile(r"(?i)\b(token|bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1\2" + _MASK),
    # password=..., "api_key": "...", secret: ...
    (
        re.compile(
            r"(?i)\b((?:password|passwd|secret|api_key|apikey|access_token|refresh_token|csrfmiddlewaretoken|sessionid|csrftoken)"
            r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',&;}]+"
        ),
        r"\1" + _MASK,
    ),
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@"), r"\1" + _MASK + "@"),
    # OpenAI-style keys, and webhook signing secrets
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), _MASK),
    (re.compile(r"\bwhsec_[A-Za-z0-9_-]{8,}"), _MASK),
    # Invitation and assessment links carry their token in the path.
    (re.compile(r"(/(?:assess|invites)/)[^/\s\"']+"), r"\1" + _MASK),
]


def _secret_values() -> list[str]:
    values: set[str] = set()
    try:
        from django.conf import settings

        for name in _SECRET_SETTINGS:
            value = getattr(settings, name, "")
            if isinstance(value, str):
                values.add(value)
    except Exception:  # noqa: BLE001, S110 - settings not configured yet: the environment still covers it
        pass
    for name, value in os.environ.items():
        if _SECRET_NAME_RE.search(name):
            values.add(value)
    # Short values would mask ordinary words; secrets are long.
    return sorted((v for v in values if len(v) >= 8), key=len, reverse=True)


def redact(text: str) -> str:
    """The text with secret values and credential-shaped substrings masked."""
    for value in _secret_values():
        if value in text:
            text = text.replace(value, _MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactionFilter(logging.Filter):
    """Masks secrets in the message, its arguments and any traceback, before any
    formatter sees the record. The traceback is formatted here so the formatter uses
    the masked text (``exc_text``) rather than formatting the exception again."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# --- formatters --------------------------------------------------------------------


class JsonFormatter(_LibraryJsonFormatter):
    """python-json-logger's formatter with our field names; unknown ids are left out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in log_data.items() if not (k in CONTEXT_FIELDS and v is None)}


class PlainFormatter(logging.Formatter):
    """One readable line for development, the known ids appended as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{f}={getattr(record, f)}" for f in CONTEXT_FIELDS if getattr(record, f, None) is not None)
        if not ids:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{ids}]{newline}{rest}"


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: one stdout handler, every record through both filters."""
    if log_format not in ("json", "plain"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "config.logging.ContextFilter"},
            "redaction": {"()": "config.logging.RedactionFilter"},
        },
        "formatters": {
            "json": {"()": "config.logging.JsonFormatter"},
            "plain": {"()": "config.logging.PlainFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
                "filters": ["context", "redaction"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Django's own request logger would repeat each error line; keep it, through root.
        "loggers": {"django": {"handlers": [], "propagate": True}},
    }


# --- Celery --------------------------------------------------------------------------

_task_tokens: dict[str, Token[dict[str, Any] | None]] = {}


def _task_ids(task: Any, args: Any, kwargs: Any) -> dict[str, Any]:
    """The id-like arguments a task was called with, by parameter name."""
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))
    except (TypeError, ValueError):
        return {}
    return {name: bound.arguments[name] for name in _TASK_ID_ARGUMENTS if name in bound.arguments}


def _on_before_task_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = (_context.get() or {}).get("request_id")
    if request_id and headers is not None:
        headers.setdefault(_REQUEST_ID_HEADER, request_id)


def _on_task_prerun(task_id: str | None = None, task: Any = None, args: Any = None, kwargs: Any = None, **_: Any) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, _REQUEST_ID_HEADER, None) or (getattr(request, "headers", None) or {}).get(_REQUEST_ID_HEADER)
    # Eager tasks run inside the request: they keep its context.
    fields = {**(_context.get() or {}), "task_id": task_id, "task": getattr(task, "name", None)}
    if request_id_clean(request_id):
        fields["request_id"] = request_id
    fields.update(_task_ids(task, args, kwargs))
    if task_id:
        _task_tokens[task_id] = _context.set(fields)


def _on_task_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    logging.getLogger("mockloop.task").info("task %s finished: %s", getattr(task, "name", "?"), state)
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        try:
            _context.reset(token)
        except ValueError:  # set in another context (a different thread ran prerun)
            _context.set(None)


def _on_setup_logging(**_: Any) -> None:
    """Celery leaves logging to us when this signal has a receiver: the worker then
    writes the same JSON lines as the web process (Django applied LOGGING already)."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def celery_signals_connect() -> None:
    from celery import signals

    signals.setup_logging.connect(_on_setup_logging, weak=False, dispatch_uid="mockloop-setup-logging")
    signals.before_task_publish.connect(_on_before_task_publish, weak=False, dispatch_uid="mockloop-log-publish")
    signals.task_prerun.connect(_on_task_prerun, weak=False, dispatch_uid="mockloop-log-prerun")
    signals.task_postrun.connect(_on_task_postrun, weak=False, dispatch_uid="mockloop-log-postrun")
