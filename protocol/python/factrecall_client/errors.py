"""Errors of the FactRecall protocol client."""
from __future__ import annotations

from typing import Any


class ProtocolError(Exception):
    """A coded error answered by the server (``FR_ERR_*``, see docs/errors.md)."""

    def __init__(self, code: str, message: str, retryable: bool, grpc_status: int,
                 retry_after_ms: int | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.grpc_status = grpc_status
        self.retry_after_ms = retry_after_ms
        self.details = details

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> "ProtocolError":
        return cls(body["code"], body["message"], body["retryable"], body["grpcStatus"],
                   body.get("retryAfterMs"), body.get("details"))

    def to_body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message,
                               "retryable": self.retryable, "grpcStatus": self.grpc_status}
        if self.retry_after_ms is not None:
            out["retryAfterMs"] = self.retry_after_ms
        return out
