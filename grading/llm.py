"""The LLM rubric grader, through the official openai SDK.

Works with OpenAI or any OpenAI-compatible server (``base_url``). Asks for a strict
JSON schema, validates what comes back (an invalid reply is retried once), retries
429 and 5xx with backoff, and tells the caller apart: a refusal, a truncated reply
or an unreachable endpoint is *not a grade* — the answer stays pending.
"""

from __future__ import annotations

import logging
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


# The retried failures, by the kind the metrics count them as (other connection errors: "connection").
_RETRIED_KINDS = {
    openai.RateLimitError: "rate_limited",
    openai.InternalServerError: "server_error",
    openai.APITimeoutError: "timeout",
}


class LlmUnavailable(Exception):
    """Not a grade: the endpoint is down, refused, or cut the reply short. Retry later."""


class LlmGradeInvalid(Exception):
    """The model's reply broke the contract twice: a human grades this one."""

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


class LlmGrader:
    name = GRADER_NAME

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout: float = 60.0,
        retries: int = 3,
        backoff_seconds: float = 1.0,
        temperature: float = 0.0,
    ) -> None:
        # The SDK's own retries are off: ours know which failures are worth waiting for.
        self.client = openai.OpenAI(api_key=api_key or "not-needed", base_url=base_url or None, timeout=timeout, max_retries=0)
        self.model = model
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.temperature = temperature

    def _complete(self, messages: list[ChatCompletionMessageParam], schema: dict[str, Any]) -> LlmCall:
        response_format: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {"name": "rubric_grade", "strict": True, "schema": schema},
        }
        last_error: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            started = time.monotonic()
            try:
                response = self.client.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    temperature=self.temperature,
                    response_format=response_format,
                )
            except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError, openai.APITimeoutError) as exc:
                metrics.llm_error(next((kind for cls, kind in _RETRIED_KINDS.items() if isinstance(exc, cls)), "connection"))
                last_error = exc
                log.warning("LLM grader: %s (attempt %s)", exc.__class__.__name__, attempt + 1)
                continue
            except openai.APIStatusError as exc:
                metrics.llm_error("rejected")
                raise LlmUnavailable(f"the LLM endpoint answered {exc.status_code}: {exc.message}") from exc
            choice = response.choices[0]
            usage = response.usage
            call = LlmCall(
                content=choice.message.content or "",
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                seconds=time.monotonic() - started,
                raw=response.model_dump(),
            )
            refusal = choice.message.refusal
            if refusal:
                metrics.llm_error("refused")
                raise LlmUnavailable(f"the model refused: {refusal[:200]}")
            if choice.finish_reason == "length":
                metrics.llm_error("truncated")
                raise LlmUnavailable("the model's reply was cut short (max tokens)")
            return call
        raise LlmUnavailable(f"the LLM endpoint did not answer after {self.retries + 1} attempts: {last_error}")

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
            for attempt in range(2):  # an invalid reply is retried once
                call = self._complete(messages, schema)
                calls.append(call)
                try:
                    grades.append(parse_grade(call.content, rubric=rubric, answer=answer))
                    break
                except GradeInvalid as exc:
                    metrics.llm_error("invalid_reply")
                    if attempt == 1:
                        raise LlmGradeInvalid(f"invalid grade twice: {exc}", calls) from exc
                    # Not the reason itself: it can quote the reply, which can quote the answer.
                    log.warning("LLM grader: invalid reply (%s characters), asking again", len(call.content))
        grade = grades[0] if len(grades) == 1 else combine_samples(grades, rubric)
        return LlmResult(grade=grade, messages=messages, calls=calls)
