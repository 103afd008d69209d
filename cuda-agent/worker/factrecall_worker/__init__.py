"""FactRecall policy worker: the Python side of the GRPO agent (see docs/architecture.md).

Run as ``python -m factrecall_worker``; it speaks length-prefixed msgpack RPC on stdio.
"""
