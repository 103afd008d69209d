"""Makes `factrecall_worker` importable for pytest; runs torch on one thread.

The test models are tiny: on a shared 2-core machine a second torch thread only spins and makes
small ops up to 10x slower.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import torch  # noqa: E402

torch.set_num_threads(1)
