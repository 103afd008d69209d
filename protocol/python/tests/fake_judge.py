"""A real HTTP server on 127.0.0.1 (port 0) speaking the OpenAI Chat Completions wire format
as the server's LLM judge sees it: every grading request gets a schema-valid verdict
(grade "B", incorrect, in the judge's A/B/C verdict schema), except the first ``fail_first`` requests, which get HTTP 400 (not retried by
the judge: the episode ends ``judge_failed`` with reward null)."""
from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


class FakeJudge:
    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests = 0
        self.failed = 0
        self._lock = threading.Lock()

    def arm(self, failures: int) -> None:
        """Fail the next `failures` requests (and no others)."""
        with self._lock:
            self.fail_first = self.failed + failures

    def decide(self) -> bool:
        with self._lock:
            self.requests += 1
            fail = self.failed < self.fail_first
            if fail:
                self.failed += 1
            return fail


def _handler(judge: FakeJudge):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            json.loads(self.rfile.read(length) or b"{}")
            if judge.decide():
                body = json.dumps({"error": {"message": "injected judge failure", "type": "invalid_request_error"}})
                self.send_response(400)
            else:
                verdict = json.dumps({"grade": "B"})
                body = json.dumps({
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": "fake-judge",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": verdict}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })
                self.send_response(200)
            data = body.encode()
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextlib.contextmanager
def running_fake_judge(fail_first: int = 0) -> Iterator[tuple[FakeJudge, str]]:
    judge = FakeJudge(fail_first)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(judge))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield judge, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def llm_judge_spec(base_url: str) -> str:
    """The --judge spec of `factrecall serve` for this fake (no cache, no retries)."""
    return json.dumps({"kind": "llm", "options": {
        "baseURL": base_url, "model": "fake-judge", "apiKey": "test", "cachePath": None,
        "maxRetries": 0, "responseFormat": "json_schema"}})
