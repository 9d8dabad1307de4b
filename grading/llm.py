"""The LLM rubric grader, through the official openai SDK.

Works with OpenAI or any OpenAI-compatible server (``base_url``): vLLM, Ollama, llama.cpp
(``response_format="json_object"`` there). Asks for structured output, bounds the reply
(``max_tokens``), validates what comes back (an invalid reply is asked again once), and
tells the caller three failures apart, each with the calls it paid for:

- ``LlmUnavailable``: down, overloaded, timed out. Retry later (``retry_after``);
- ``LlmRejected``: the endpoint refuses this request for good. A person grades it;
- ``LlmGradeInvalid``: a reply came but is no grade (invalid twice, refused, truncated).
  A person grades it.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import openai
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from config import metrics
from grading.rubric import GradeInvalid, RubricGrade, build_messages, combine_samples, output_schema, parse_grade

log = logging.getLogger(__name__)
GRADER_NAME = "llm"


# The failures worth trying again later, by the kind the metrics count them as (other
# connection errors: "connection").
_TRANSIENT_KINDS = {
    openai.RateLimitError: "rate_limited",
    openai.InternalServerError: "server_error",
    openai.APITimeoutError: "timeout",
}
# The 4xx statuses that mean "not now" (429 is the SDK's RateLimitError). Every other
# 4xx says this request will never work: a bad key (401, 403), an unknown model (404),
# a request the server does not understand (400, 422). Retrying would only pay again.
_TRANSIENT_CLIENT_STATUSES = {408, 409, 425}
# Servers that cannot do structured output answer in many ways, some of them 5xx
# (llama-cpp-python 0.3 answers a json_schema request with 500): a server error that
# names the structured-output parameters is a permanent refusal too.
_UNSUPPORTED_FORMAT = re.compile(r"response_format|json_schema|json schema|grammar", re.IGNORECASE)
RESPONSE_FORMATS = ("json_schema", "json_object")


class LlmUnavailable(Exception):
    """Not a grade, and not the answer's fault: the endpoint is down, overloaded or timed
    out. Try again later: ``retry_after`` is what the server asked for (seconds), if it did."""

    def __init__(self, message: str, *, retry_after: float | None = None, calls: list[LlmCall] | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.calls = calls or []


class LlmRejected(Exception):
    """The endpoint refuses this request for good (a bad key, an unknown model, an
    unsupported ``response_format``, a bad request). Retrying cannot help: a person
    grades the answer, and operators are told (metrics, /healthz)."""

    def __init__(self, message: str, *, status_code: int | None, calls: list[LlmCall] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.calls = calls or []


class LlmGradeInvalid(Exception):
    """No usable grade came back: the reply broke the contract twice, the model refused,
    or the reply was cut short at ``max_tokens``. A human grades this one."""

    def __init__(self, message: str, calls: list[LlmCall]) -> None:
        super().__init__(message)
        self.calls = calls


@dataclass
class LlmCall:
    content: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    raw: dict[str, Any]


@dataclass
class LlmResult:
    grade: RubricGrade
    messages: list[ChatCompletionMessageParam]
    calls: list[LlmCall] = field(default_factory=list)

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.calls)


def retry_after_seconds(headers: Any) -> float | None:
    """The server's ``Retry-After`` (seconds or an HTTP date) or ``retry-after-ms``, if any."""
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


class LlmGrader:
    """One grading of one answer: a request per sample (an invalid reply is asked again
    once, at once), never a sleep. Transient failures are raised for the caller (the
    Celery task) to retry with its own countdown."""

    name = GRADER_NAME

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout: float = 60.0,
        temperature: float = 0.0,
        max_tokens: int = 1500,
        response_format: str = "json_schema",
    ) -> None:
        if response_format not in RESPONSE_FORMATS:
            raise ValueError(f"response_format must be one of {RESPONSE_FORMATS}, not {response_format!r}")
        # The SDK's own retries are off: the task retries, with the server's Retry-After.
        self.client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url or None, timeout=timeout, max_retries=0)
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.response_format = response_format

    def _format(self, schema: dict[str, Any]) -> Any:
        if self.response_format == "json_object":
            # llama.cpp's servers (llama-cpp-python, llama-server) take the schema beside json_object.
            return {"type": "json_object", "schema": schema}
        json_schema: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {"name": "rubric_grade", "strict": True, "schema": schema},
        }
        return json_schema

    def _complete(self, messages: list[ChatCompletionMessageParam], schema: dict[str, Any], calls: list[LlmCall]) -> LlmCall:
        """One request. Appends what it cost to ``calls`` whatever happens next."""
        started = time.monotonic()
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                response_format=self._format(schema),
            )
        except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError, openai.APITimeoutError) as exc:
            status = getattr(exc, "status_code", None)
            if isinstance(exc, openai.InternalServerError) and _UNSUPPORTED_FORMAT.search(str(exc.message)):
                metrics.llm_error("rejected")
                raise LlmRejected(
                    f"the LLM endpoint cannot do {self.response_format} structured output ({status}: {exc.message[:200]})",
                    status_code=status,
                    calls=calls,
                ) from exc
            metrics.llm_error(next((kind for cls, kind in _TRANSIENT_KINDS.items() if isinstance(exc, cls)), "connection"))
            response_headers = getattr(getattr(exc, "response", None), "headers", None)
            log.warning("LLM grader: %s (%s)", exc.__class__.__name__, status or "no status")
            raise LlmUnavailable(
                f"the LLM endpoint did not answer ({exc.__class__.__name__})",
                retry_after=retry_after_seconds(response_headers),
                calls=calls,
            ) from exc
        except openai.APIStatusError as exc:
            if exc.status_code in _TRANSIENT_CLIENT_STATUSES:
                metrics.llm_error("server_error")
                raise LlmUnavailable(
                    f"the LLM endpoint answered {exc.status_code}",
                    retry_after=retry_after_seconds(exc.response.headers),
                    calls=calls,
                ) from exc
            metrics.llm_error("rejected")
            if exc.status_code < 500:
                raise LlmRejected(
                    f"the LLM endpoint refused the request ({exc.status_code}: {exc.message[:200]})",
                    status_code=exc.status_code,
                    calls=calls,
                ) from exc
            raise LlmUnavailable(f"the LLM endpoint answered {exc.status_code}", calls=calls) from exc
        choice = response.choices[0]
        usage = response.usage
        call = LlmCall(
            content=choice.message.content or "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            seconds=time.monotonic() - started,
            raw=response.model_dump(),
        )
        calls.append(call)
        refusal = choice.message.refusal
        if refusal:
            metrics.llm_error("refused")
            raise LlmGradeInvalid(f"the model refused to grade: {refusal[:200]}", calls)
        if choice.finish_reason == "length":
            metrics.llm_error("truncated")
            raise LlmGradeInvalid(f"the model's reply was cut short at max_tokens ({self.max_tokens})", calls)
        return call

    def complete(self, messages: list[ChatCompletionMessageParam], schema: dict[str, Any], calls: list[LlmCall]) -> LlmCall:
        """One structured-output request for another task of the grading core (the
        follow-up writer, grading/follow_up_writer.py): the same response format, bounds,
        failures (LlmUnavailable, LlmRejected, LlmGradeInvalid) and ``calls`` accounting
        as a grading request. Validating the reply is the caller's."""
        return self._complete(messages, schema, calls)

    def grade(
        self,
        *,
        question_title: str,
        prompt: str,
        rubric: dict[str, Any],
        answer: str,
        examples: list[dict[str, Any]] | None = None,
        samples: int = 1,
    ) -> LlmResult:
        messages = build_messages(question_title=question_title, prompt=prompt, rubric=rubric, answer=answer, examples=examples)
        schema = output_schema(rubric)
        calls: list[LlmCall] = []
        grades: list[RubricGrade] = []
        for _ in range(samples):
            for attempt in range(2):  # an invalid reply is asked again once
                call = self._complete(messages, schema, calls)
                try:
                    grades.append(parse_grade(call.content, rubric=rubric, answer=answer))
                    break
                except GradeInvalid as exc:
                    metrics.llm_error("invalid_reply")
                    if attempt == 1:
                        raise LlmGradeInvalid(f"the reply was invalid twice: {exc}", calls) from exc
                    # Not the reason itself: it can quote the reply, which can quote the answer.
                    log.warning("LLM grader: invalid reply (%s characters), asking again", len(call.content))
        grade = grades[0] if len(grades) == 1 else combine_samples(grades, rubric)
        return LlmResult(grade=grade, messages=messages, calls=calls)
