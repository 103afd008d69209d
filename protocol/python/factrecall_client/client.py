"""A small synchronous client for FactRecall servers (protocol ``factrecall.v1``).

One API over both bindings: ``ws://host:port/v1/ws`` (WebSocket, one msgpack map per binary
frame) or ``grpc://host:port`` (the bidirectional ``Session`` stream). Requests carry ids, so
``request_many`` pipelines several on one connection; errors the server marks retryable and
that guarantee nothing was applied (overload, shutdown) are retried after ``retryAfterMs``.
While the client holds open envs, a background thread sends a ``stats`` request whenever a
third of the server's ``idleTimeoutMs`` passes without a request, so a policy that generates
for longer than the idle timeout between a reset and its step keeps its episodes
(``keep_alive=False`` turns it off; a connection without envs is left to the timeout).

    from factrecall_client import connect
    with connect("ws://127.0.0.1:8700/v1/ws", role="trainer") as fr:
        env = fr.make("FactRecall-v0")
        obs = fr.reset(env, split="train", batch_size=128, group_size=5)["observations"]
        out = fr.step(env, [{"episodeId": o["episodeId"], "answer": "Paris"} for o in obs])
"""
from __future__ import annotations

import itertools
import queue
import random
import threading
import time
from typing import Any, Iterator, Sequence

import msgpack
from websockets.exceptions import ConnectionClosed

from .codec import request_envelope, response_from_envelope
from .errors import ProtocolError

PROTOCOL_VERSION = "factrecall.v1"
SAFE_TO_RESEND = {
    "FR_ERR_PROTO_OVERLOADED",
    "FR_ERR_PROTO_TOO_MANY_CONNECTIONS",
    "FR_ERR_PROTO_SHUTTING_DOWN",
}


def _deadline_error(timeout: float) -> ProtocolError:
    return ProtocolError("FR_ERR_PROTO_DEADLINE",
                         f"no response before the client deadline ({timeout:g} s)", True, 4)


def _lost_error(why: str) -> ProtocolError:
    return ProtocolError("FR_ERR_PROTO_CONNECTION_LOST",
                         f"the connection closed before the response arrived: {why}", True, 14)


class _WsTransport:
    def __init__(self, url: str, timeout: float) -> None:
        from websockets.sync.client import connect as ws_connect

        self._cm = ws_connect(url, max_size=None, compression=None, open_timeout=timeout)
        self._ws = self._cm.__enter__()

    def send(self, req_id: str, verb: str, body: dict[str, Any]) -> None:
        frame = msgpack.packb({"id": req_id, "type": verb, "body": body}, use_bin_type=True)
        try:
            self._ws.send(frame)
        except ConnectionClosed as e:
            raise _lost_error(str(e)) from None

    def recv(self, timeout: float) -> tuple[str, str, dict[str, Any]]:
        try:
            frame = self._ws.recv(timeout=timeout)
        except TimeoutError:
            raise _deadline_error(timeout) from None
        except ConnectionClosed as e:
            raise _lost_error(str(e)) from None
        m = msgpack.unpackb(frame, raw=False)
        return m["id"], m["type"], m["body"]

    def close(self) -> None:
        self._cm.__exit__(None, None, None)


class _GrpcTransport:
    def __init__(self, address: str, timeout: float) -> None:
        import grpc

        from ._proto import factrecall_pb2_grpc

        self._channel = grpc.insecure_channel(
            address, options=[("grpc.max_receive_message_length", -1)]
        )
        grpc.channel_ready_future(self._channel).result(timeout=timeout)
        self._outbox: queue.Queue[Any] = queue.Queue()
        stub = factrecall_pb2_grpc.FactRecallStub(self._channel)
        self._responses: Iterator[Any] = stub.Session(iter(self._outbox.get, None))
        # The stream iterator blocks without a timeout, so a reader thread drains it into a
        # queue and recv waits on the queue with the deadline.
        self._inbox: queue.Queue[Any] = queue.Queue()
        threading.Thread(target=self._read, name="factrecall-grpc-reader", daemon=True).start()

    def _read(self) -> None:
        try:
            for envelope in self._responses:
                self._inbox.put(envelope)
            self._inbox.put(_lost_error("the server ended the stream"))
        except Exception as e:  # grpc.RpcError and anything else end the stream
            self._inbox.put(_lost_error(str(getattr(e, "details", lambda: e)())))

    def send(self, req_id: str, verb: str, body: dict[str, Any]) -> None:
        self._outbox.put(request_envelope(req_id, verb, body))

    def recv(self, timeout: float) -> tuple[str, str, dict[str, Any]]:
        try:
            item = self._inbox.get(timeout=timeout)
        except queue.Empty:
            raise _deadline_error(timeout) from None
        if isinstance(item, ProtocolError):
            self._inbox.put(item)  # every later recv sees the lost connection too
            raise item
        return response_from_envelope(item)

    def close(self) -> None:
        self._outbox.put(None)
        self._channel.close()


class Client:
    """A connection to a FactRecall server. Use :func:`connect` to make one."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        role: str | None = None,
        timeout: float = 120.0,
        max_retries: int = 5,
        keep_alive: bool = True,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.max_retries = max_retries
        self._send_lock = threading.Lock()
        self._last_sent = time.monotonic()
        #: Handles of envs made here and not closed (keep-alive runs while there are any).
        self._open_envs: set[str] = set()
        #: Ids of keep-alive requests, whose answers are read and dropped.
        self._discard: set[str] = set()
        self._stop = threading.Event()
        if url.startswith("grpc://"):
            self._t: Any = _GrpcTransport(url[len("grpc://") :], timeout)
        else:
            self._t = _WsTransport(url, timeout)
        self._ids = itertools.count()
        self._early: dict[str, tuple[str, dict[str, Any]]] = {}
        hello: dict[str, Any] = {"version": PROTOCOL_VERSION, "client": "factrecall-client-python"}
        if token is not None:
            hello["token"] = token
        if role is not None:
            hello["role"] = role
        #: The server's hello: role granted, session id and limits (maxBatchEpisodes...).
        self.hello = self.request("hello", hello)
        if keep_alive:
            period = max(0.05, self.hello["limits"]["idleTimeoutMs"] / 3000)
            threading.Thread(target=self._keep_alive, args=(period,), daemon=True,
                             name="factrecall-keep-alive").start()

    # -- plumbing -------------------------------------------------------------------------

    def _send(self, req_id: str, verb: str, body: dict[str, Any]) -> None:
        # The keep-alive thread sends too; reading stays on the caller's thread.
        with self._send_lock:
            self._last_sent = time.monotonic()
            self._t.send(req_id, verb, body)

    def _keep_alive(self, period: float) -> None:
        """Every ``period`` s: a ``stats`` request if envs are open and nothing was sent for that long."""
        while not self._stop.wait(period):
            if not self._open_envs or time.monotonic() - self._last_sent < period:
                continue
            req_id = f"keep-alive-{next(self._ids)}"
            self._discard.add(req_id)
            try:
                self._send(req_id, "stats", {})
            except ProtocolError:
                return  # the connection is gone: the caller's next request says so

    def _wait(self, req_id: str) -> tuple[str, dict[str, Any]]:
        while req_id not in self._early:
            rid, rtype, body = self._t.recv(self.timeout)
            if rid == "" and rtype == "error":
                raise ProtocolError.from_body(body)
            if rid in self._discard:
                self._discard.discard(rid)
                continue
            self._early[rid] = (rtype, body)
        return self._early.pop(req_id)

    def request_many(self, requests: Sequence[tuple[str, dict[str, Any]]]) -> list[Any]:
        """Send several requests at once (pipelined), then collect their answers in order.

        Each answer is the response body, or a :class:`ProtocolError` (not raised).
        """
        ids = [str(next(self._ids)) for _ in requests]
        for req_id, (verb, body) in zip(ids, requests):
            self._send(req_id, verb, body)
        out: list[Any] = []
        for req_id in ids:
            rtype, body = self._wait(req_id)
            out.append(ProtocolError.from_body(body) if rtype == "error" else body)
        return out

    def request(self, verb: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send one request and return its response body; raises :class:`ProtocolError`."""
        for attempt in itertools.count():
            (answer,) = self.request_many([(verb, body or {})])
            if not isinstance(answer, ProtocolError):
                return answer
            if answer.code not in SAFE_TO_RESEND or attempt >= self.max_retries:
                raise answer
            wait_ms = answer.retry_after_ms or min(5000, 100 * 2**attempt)
            time.sleep(wait_ms / 1000 * (1 + random.random() * 0.2))
        raise AssertionError("unreachable")

    # -- verbs ----------------------------------------------------------------------------

    def list_envs(self) -> list[dict[str, str]]:
        return self.request("list_envs")["envs"]

    def make(self, env_id: str = "FactRecall-v0", **options: Any) -> str:
        """Make an env on the server; returns its handle (the spec is in ``self.specs``)."""
        body: dict[str, Any] = {"envId": env_id}
        if options:
            body["options"] = options
        r = self.request("make", body)
        self.specs = getattr(self, "specs", {})
        self.specs[r["handle"]] = r["spec"]
        self._open_envs.add(r["handle"])
        return r["handle"]

    def reset(
        self, handle: str, *, split: str = "train", batch_size: int | None = None, group_size: int = 1,
        with_gold: bool = False, question_ids: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Next ``batch_size`` questions, each as ``group_size`` episodes (one group).

        ``question_ids`` (trainer role, train or val): issue these questions instead, one group
        each in this order; ``batch_size`` defaults to their count.
        """
        if question_ids is not None and batch_size is None:
            batch_size = len(question_ids)
        body: dict[str, Any] = {
            "handle": handle, "split": split, "batchSize": batch_size, "groupSize": group_size,
        }
        if with_gold:
            body["withGold"] = True
        if question_ids is not None:
            body["questionIds"] = list(question_ids)
        return self.request("reset", body)

    def step(self, handle: str, actions: Sequence[dict[str, str]]) -> dict[str, Any]:
        """One answer per episode: ``[{"episodeId": ..., "answer": ...}]``. Reward None = no verdict."""
        return self.request("step", {"handle": handle, "actions": list(actions)})

    def close_env(self, handle: str) -> dict[str, Any]:
        """Close an env; returns its episode counts (and ``evalRunId`` for the eval role)."""
        self._open_envs.discard(handle)
        return self.request("close", {"handle": handle})

    def stats(self) -> dict[str, Any]:
        return self.request("stats")

    def close(self) -> None:
        """Close the connection; the server closes its envs."""
        self._stop.set()
        self._t.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(url: str, **kwargs: Any) -> Client:
    """Connect and say hello. ``url``: ``ws://host:port/v1/ws`` or ``grpc://host:port``."""
    return Client(url, **kwargs)
