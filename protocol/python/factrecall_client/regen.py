"""Regenerate the gRPC stubs from protocol/factrecall.proto: ``python -m factrecall_client.regen``.

The proto is mapped to the virtual path ``factrecall_client/_proto/`` so the generated
``factrecall_pb2_grpc`` imports ``factrecall_client._proto.factrecall_pb2`` (a package import).
"""
from __future__ import annotations

import sys
from pathlib import Path

PROTO = Path(__file__).resolve().parents[2] / "factrecall.proto"


def generate(out_dir: Path) -> list[Path]:
    """Write factrecall_pb2.py and factrecall_pb2_grpc.py under out_dir/factrecall_client/_proto."""
    from grpc_tools import protoc

    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-Ifactrecall_client/_proto={PROTO.parent}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"factrecall_client/_proto/{PROTO.name}",
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed on " + str(PROTO))
    base = out_dir / "factrecall_client" / "_proto"
    return [base / "factrecall_pb2.py", base / "factrecall_pb2_grpc.py"]


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[1]
    for p in generate(here):
        print(p, file=sys.stderr)
