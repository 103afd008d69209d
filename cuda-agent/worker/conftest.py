"""Makes `factrecall_worker` importable for pytest and runs torch on one thread (tiny ops: extra threads only spin, see the report)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import torch  # noqa: E402

torch.set_num_threads(1)
