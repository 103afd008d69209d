"""How many rows of a batch fit in memory: micro-batches sized from what is free now.

On CUDA the budget is half the free device memory; on CPU a quarter of the available RAM (the
machine is shared, and the estimate counts only the big tensors: KV cache and logits).
"""

from __future__ import annotations

import os

import torch


def free_bytes(device: torch.device) -> int:
    """Memory free for new tensors on ``device`` (bytes)."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError):  # not on this platform: assume 4 GiB
        return 4 << 30


def rows_that_fit(bytes_per_row: int, device: torch.device, cap: int) -> int:
    """Rows of ``bytes_per_row`` in the budget, at least 1 and at most ``cap``."""
    share = 0.5 if device.type == "cuda" else 0.25
    return max(1, min(cap, int(free_bytes(device) * share) // max(1, bytes_per_row)))
