"""A local OpenAI-compatible HTTP server for tests: scripted replies, recorded requests.

The grader talks to it through the real `openai` client, exactly as it would talk
to OpenAI or a self-hosted server. No test reaches the internet.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion(
    content: str,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 1200,
    completion_tokens: int = 300,
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-grader",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content, "refusal": refusal}, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class FakeOpenAI:
    def __init__(self, port: int = 0) -> None:
        self.replies: deque[tuple[int, Any, float]] = deque()
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                # GET /models, what a health check asks: the one model, free, never scripted.
                fake.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": None}
                )
                found = self.path.rstrip("/").endswith("/models")
                model = {"id": "fake-grader", "object": "model", "created": 0, "owned_by": "tests"}
                data = json.dumps({"object": "list", "data": [model]} if found else {"error": {"message": "not found"}}).encode()
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                status, payload, delay = (
                    fake.replies.popleft() if fake.replies else (500, {"error": {"message": "no scripted reply"}}, 0)
                )
                if delay:
                    time.sleep(delay)
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    if status == 429:
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        # A fixed port lets a test stop the endpoint and start it again at the same URL.
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def reply(self, payload: Any, *, status: int = 200, delay: float = 0.0) -> None:
        self.replies.append((status, payload, delay))

    def reply_grade(
        self,
        levels: dict[str, int],
        *,
        evidence: dict[str, list[str]] | None = None,
        injection: bool = False,
        delay: float = 0.0,
        **kwargs: Any,
    ) -> None:
        content = json.dumps(
            {
                "criteria": [
                    {"id": cid, "evidence": (evidence or {}).get(cid, []), "reasoning": f"reason for {cid}", "level": level}
                    for cid, level in levels.items()
                ],
                "injection_suspected": injection,
            }
        )
        self.reply(completion(content, **kwargs), delay=delay)

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
