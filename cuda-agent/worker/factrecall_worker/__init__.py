"""FactRecall policy worker: the Python side of the GRPO agent (see DESIGN.md section 7).

Run as ``python -m factrecall_worker``; it speaks length-prefixed msgpack RPC on stdio.
"""
