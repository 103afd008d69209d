"""FSDP (torch's FSDP2, ``torch.distributed.fsdp.fully_shard``) for the data-parallel worker:
parameters, gradients and AdamW state sharded over the W ranks, for models whose training
state does not fit one device. Chosen with FACTRECALL_PARALLEL=fsdp (data_parallel.py).

- What is sharded: each decoder layer (hf: the classes the model lists in
  ``_no_split_modules``, e.g. LlamaDecoderLayer; tiny: its ``blocks``), then the root (the
  embeddings, final norm and a tied output layer stay in one unit). The frozen reference is
  sharded the same way.
- Lockstep: a sharded forward all-gathers each unit and its backward reduce-scatters the
  gradients, so every rank must run the same sequence of passes. In train_step every rank runs
  as many micro-batches as the rank with the most (``FSDPSync.passes``), the missing ones as
  zero-loss passes that also run the reference; the hf policy takes its packed scoring path
  (the shared-prefix path's number of passes depends on the shard's prompts).
- Rank-local work (generation, whose number of decoding steps differs per rank, and scoring
  in `logprobs`) runs inside ``gathered``: every rank all-gathers every unit once, runs its own
  forwards on the full weights with no collective, then frees them. Memory: the full weights
  on each rank for that time (as a colocated rollout engine holds them), not the gradients or
  optimizer state.
- Checkpoints hold full (gathered) tensors in the single-process format (optimizer state keyed
  by parameter index), written by rank 0, so one file resumes under one process, DDP or FSDP.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext

import torch
import torch.distributed as dist
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_model_state_dict,
    set_optimizer_state_dict,
)
from torch.distributed.fsdp import FSDPModule, fully_shard

from .errors import BadParamsError

MODES = ("ddp", "fsdp")
FULL = StateDictOptions(full_state_dict=True, cpu_offload=True)


def read_mode(value: str | None) -> str:
    """FACTRECALL_PARALLEL: ``ddp`` (the default) or ``fsdp``."""
    mode = value or "ddp"
    if mode not in MODES:
        raise BadParamsError(f"FACTRECALL_PARALLEL={mode!r}: use one of {list(MODES)}")
    return mode


def shard_units(module: torch.nn.Module) -> list[torch.nn.Module]:
    """The decoder layers of ``module``, each one FSDP unit."""
    blocks = getattr(module, "blocks", None)  # TinyGPT
    if isinstance(blocks, torch.nn.ModuleList):
        return list(blocks)
    names = set(getattr(module, "_no_split_modules", None) or ())
    units = [m for m in module.modules() if type(m).__name__ in names]
    if not units:
        raise BadParamsError(
            f"fsdp: {type(module).__name__} names no decoder layer class (_no_split_modules) to shard"
        )
    return units


def shard(module: torch.nn.Module) -> None:
    """Shard ``module`` in place: each decoder layer, then the root (the rest)."""
    for unit in shard_units(module):
        fully_shard(unit, reshard_after_forward=True)
    fully_shard(module, reshard_after_forward=True)


def _units(module: torch.nn.Module) -> list[FSDPModule]:
    return [m for m in module.modules() if isinstance(m, FSDPModule)]


@contextmanager
def gathered(*modules: torch.nn.Module) -> Iterator[None]:
    """Inside the block each module holds its full weights and its forwards make no
    collective, so ranks may run different numbers of them. Every rank must enter together."""
    roots = [m for m in modules if isinstance(m, FSDPModule)]
    for root in roots:
        root.set_reshard_after_forward(False)  # recursive: post-forward leaves units gathered
        for unit in _units(root):
            unit.unshard()
    try:
        yield
    finally:
        for root in roots:
            root.set_reshard_after_forward(True)
            for unit in _units(root):
                unit.reshard()


class FSDPSync:
    """learner.GradSync over an FSDP-sharded policy: every backward reduce-scatters (averaging
    over W ranks, as DDP does), so accumulation needs no ``no_sync``; passes run in lockstep."""

    lockstep = True

    def __init__(self, world: int, device: torch.device):
        self.world, self.device = world, device

    def all_sum(self, values: Sequence[float]) -> list[float]:
        t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return t.tolist()

    def passes(self, local: int) -> int:
        """Forward/backward passes every rank runs: the most micro-batches any rank has."""
        t = torch.tensor([local], dtype=torch.int64, device=self.device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return int(t.item())

    def no_sync(self) -> AbstractContextManager:
        return nullcontext()


def _param_names(module: torch.nn.Module) -> list[str]:
    """Trainable parameter names in the optimizer's order (learner.make_optimizer)."""
    return [n for n, p in module.named_parameters() if p.requires_grad]


def full_model_state(module: torch.nn.Module) -> dict:
    """The full weights on rank 0 (CPU), an empty map elsewhere. Collective."""
    return get_model_state_dict(module, options=FULL)


def full_optimizer_state(module: torch.nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    """The full AdamW state on rank 0 in ``optimizer.state_dict()``'s format (keyed by
    parameter index), an empty map elsewhere. Collective."""
    by_name = get_optimizer_state_dict(module, optimizer, options=FULL)
    if not by_name:
        return {}
    index = {n: i for i, n in enumerate(_param_names(module))}
    return {
        "state": {index[n]: v for n, v in by_name["state"].items()},
        "param_groups": [{**g, "params": [index[n] for n in g["params"]]} for g in by_name["param_groups"]],
    }


def load_full_state(
    module: torch.nn.Module, optimizer: torch.optim.Optimizer | None, weights: dict, optim_state: dict | None
) -> None:
    """Shard full weights (and an index-keyed optimizer state) read by every rank into place."""
    set_model_state_dict(module, weights, options=StateDictOptions(full_state_dict=True))
    if optimizer is None or optim_state is None:
        return
    names = _param_names(module)
    by_name = {
        "state": {names[int(i)]: v for i, v in optim_state["state"].items()},
        "param_groups": [{**g, "params": [names[int(i)] for i in g["params"]]} for g in optim_state["param_groups"]],
    }
    set_optimizer_state_dict(module, optimizer, by_name, options=StateDictOptions(full_state_dict=True))
