"""Conversions between protobuf messages and the protocol's plain dicts (camelCase keys, as on
the WebSocket binding), so both transports hand the caller identical values.

Mirrors protocol/proto-codec.ts: absent optional fields mean null; ``options`` and error
``details`` travel as JSON strings; gold answers sit in a wrapper message.
"""
from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from ._proto import factrecall_pb2 as pb

VERBS = ("hello", "list_envs", "make", "reset", "step", "close", "stats")


def to_dict(msg: Message) -> dict[str, Any]:
    """A message as a dict keyed by JSON (camelCase) names; unset optionals are left out."""
    out: dict[str, Any] = {}
    for f in msg.DESCRIPTOR.fields:
        value = getattr(msg, f.name)
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            out[f.json_name] = {
                k: (to_dict(v) if isinstance(v, Message) else v) for k, v in value.items()
            }
        elif f.is_repeated:
            out[f.json_name] = [to_dict(v) if isinstance(v, Message) else v for v in value]
        elif f.has_presence:
            if msg.HasField(f.name):
                out[f.json_name] = to_dict(value) if isinstance(value, Message) else value
        else:
            out[f.json_name] = value
    return out


def request_envelope(req_id: str, verb: str, body: dict[str, Any]) -> pb.Envelope:
    """A request envelope for the Session stream (an unknown verb carries no body)."""
    env = pb.Envelope(id=req_id, type=verb)
    if verb not in VERBS:
        return env
    fields = dict(body)
    if verb == "make" and "options" in fields:
        fields["optionsJson"] = json.dumps(fields.pop("options"))
    sub = getattr(env, f"{verb}_request")
    sub.SetInParent()
    json_format.ParseDict(fields, sub)
    return env


def _fill_mean(counts: Any) -> None:
    if isinstance(counts, dict):
        counts.setdefault("meanReward", None)


def response_body(verb: str, body: dict[str, Any]) -> dict[str, Any]:
    """Put back the nulls protobuf cannot carry, so the dict equals the WebSocket one."""
    if verb == "reset":
        for o in body["observations"]:
            if "gold" in o:
                o["gold"] = list(o["gold"].get("answers", []))
    elif verb == "step":
        for r in body["results"]:
            r.setdefault("reward", None)
            r.setdefault("verdict", None)
        for g in body["groups"]:
            g.setdefault("meanReward", None)
    elif verb == "close":
        _fill_mean(body.get("counts"))
        if not body.get("runs"):
            body.pop("runs", None)
        for r in body.get("runs", []):
            r.setdefault("score", None)
    elif verb == "stats":
        _fill_mean(body.get("totals"))
        for c in body.get("bySplit", {}).values():
            _fill_mean(c)
    return body


def response_from_envelope(env: pb.Envelope) -> tuple[str, str, dict[str, Any]]:
    """(id, type, body) of a response envelope read from the Session stream."""
    if env.type == "error":
        body = to_dict(env.error)
        details = body.pop("detailsJson", None)
        if details:
            body["details"] = json.loads(details)
        return env.id, env.type, body
    which = env.WhichOneof("body")
    if which is None:
        raise ValueError(f"response {env.id!r} of type {env.type!r} has no body")
    return env.id, env.type, response_body(env.type, to_dict(getattr(env, which)))
