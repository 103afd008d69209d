"""Python client for FactRecall-v0 servers (``factrecall serve``); see docs/protocol.md."""
from .client import PROTOCOL_VERSION, Client, connect
from .errors import ProtocolError

__all__ = ["Client", "ProtocolError", "PROTOCOL_VERSION", "connect"]
