"""Data parallelism under ``torchrun``: W ranks, each holding the whole policy, reference and
optimizer; each rank generates for, scores and trains on its shard of a request; gradients are
all-reduced by torch's DistributedDataParallel (NCCL on GPUs, gloo on CPU).

Rank 0 alone talks to the coordinator (dp_server.py broadcasts each request to the other ranks);
every rank runs the same method on a contiguous shard of its rows (``shard_bounds``) and rank 0
gathers the results back in request order, so the coordinator sees one worker. A rank's shard
of prompts or samples may be empty.

- generate: rank r samples its prompts with its own generator (seed + 1 + r; an explicit
  ``seed`` becomes seed + r), so samples depend on the world size; rank 0 of one rank is the
  single-process worker exactly.
- train_step: each rank's samples go through the learner with a ``DDPSync`` (learner.py has the
  math); the weights stay identical on every rank because every rank applies the same reduced
  gradient with the same AdamW state.
- save: rank 0 writes the file with every rank's RNG states (``rng_ranks``); load: every rank
  reads the file (a filesystem every rank sees) and restores its own RNG states, so a resume
  with the same world size is exact; with another world size weights and optimizer load and
  the per-rank generators are seeded afresh (``exact_rng: false``).
- pretrain (tiny) is not sharded: every rank runs it whole, then rank 0's weights are broadcast.

With FACTRECALL_PARALLEL=fsdp the ranks shard the weights, gradients and optimizer state
instead of each holding them whole (fsdp.py: lockstep passes, generation on gathered weights,
full checkpoints); sharding of requests, generators and RNG states are as above.

Parameter errors found on one rank's shard are agreed on (``agree``) before any collective, so a
bad request fails on every rank instead of leaving the others waiting in an all-reduce.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from .checkpoint import save_checkpoint
from .errors import BadParamsError, CheckpointNotFoundError, WorkerError
from .fsdp import FSDPSync, full_model_state, full_optimizer_state, gathered, load_full_state, read_mode, shard
from .policy_worker import PolicyWorker, read_train_step
from .rng import restore_rng_states


def shard_bounds(n: int, rank: int, world: int) -> tuple[int, int]:
    """Rows [lo, hi) of rank ``rank``: contiguous, sizes differing by at most one."""
    return rank * n // world, (rank + 1) * n // world


class Ranks:
    """This process's place in the job and its two process groups: the default one (NCCL on
    CUDA, gloo on CPU) for gradients, a gloo one for the small control messages."""

    def __init__(self) -> None:
        self.rank = dist.get_rank()
        self.world = dist.get_world_size()
        self.control = dist.new_group(backend="gloo")

    @staticmethod
    def init_from_env() -> Ranks:
        """Join the job torchrun started (RANK, WORLD_SIZE, MASTER_ADDR... in the environment).

        FACTRECALL_DIST_BACKEND picks the gradient backend (default nccl when CUDA is there,
        else gloo); on CUDA each rank uses device LOCAL_RANK.
        """
        backend = os.environ.get("FACTRECALL_DIST_BACKEND") or ("nccl" if torch.cuda.is_available() else "gloo")
        if backend == "nccl":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        minutes = float(os.environ.get("FACTRECALL_DIST_TIMEOUT_MIN", "30"))
        dist.init_process_group(backend=backend, timeout=timedelta(minutes=minutes))
        return Ranks()

    def broadcast(self, obj):
        """Rank 0's ``obj`` on every rank."""
        box = [obj]
        dist.broadcast_object_list(box, src=0, group=self.control)
        return box[0]

    def all_gather(self, obj) -> list:
        out: list = [None] * self.world
        dist.all_gather_object(out, obj, group=self.control)
        return out

    def agree(self, error: WorkerError | None) -> None:
        """Raise on every rank the first rank's error, if any rank had one."""
        errors = self.all_gather(None if error is None else (type(error), str(error)))
        for r, e in enumerate(errors):
            if e is not None:
                cls, message = e
                raise cls(message if r == self.rank else f"rank {r}: {message}")


class DDPSync:
    """learner.GradSync over a DDP-wrapped policy."""

    lockstep = False

    def __init__(self, ddp: DistributedDataParallel, world: int, device: torch.device):
        self.ddp, self.world, self.device = ddp, world, device

    def all_sum(self, values: Sequence[float]) -> list[float]:
        t = torch.tensor([float(v) for v in values], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)  # float64: token counts and metric sums exactly as one process adds them
        return t.tolist()

    def passes(self, local: int) -> int:
        return max(local, 1)  # an empty shard joins the all-reduce with one zero-loss pass

    def no_sync(self) -> AbstractContextManager:
        return self.ddp.no_sync()


class DataParallelWorker(PolicyWorker):
    """A PolicyWorker that is one rank of a data-parallel job (see the module comment)."""

    def __init__(self, ranks: Ranks, mode: str | None = None):
        super().__init__()
        self.ranks = ranks
        self.mode = mode if mode is not None else os.environ.get("FACTRECALL_PARALLEL", "ddp")

    @property
    def fsdp(self) -> bool:
        return self.mode == "fsdp"

    # -- state -----------------------------------------------------------------------------
    def _install(self, built, optim, loss) -> None:
        read_mode(self.mode)  # a coded error before anything is built
        if self.fsdp and built.name == "vllm":
            raise BadParamsError("fsdp: the vllm engine needs the full weights on one device; use ddp")
        super()._install(built, optim, loss)
        assert self.learner is not None and self.sample_gen is not None
        cuda = self.device.type == "cuda"
        self.sample_gen.manual_seed(self.seed + 1 + self.ranks.rank)
        if self.fsdp:
            for policy in (self.learner.policy, self.learner.reference):
                shard(policy.module)
                policy.runner = policy.module  # hf: the packed scoring path (lockstep passes)
            self.learner.reset_optimizer()  # over the sharded parameters
            self.learner.sync = FSDPSync(self.ranks.world, self.device if cuda else torch.device("cpu"))
            return
        # broadcast_buffers off: our buffers are constants, and a buffer broadcast in every
        # forward would make ranks with different numbers of forward passes wait on each other.
        ddp = DistributedDataParallel(
            self.learner.policy.module,
            device_ids=[torch.cuda.current_device()] if cuda else None,
            broadcast_buffers=False,
        )
        self.learner.policy.runner = ddp
        self.learner.sync = DDPSync(ddp, self.ranks.world, self.device if cuda else torch.device("cpu"))

    def info(self, params: dict) -> dict:
        return {**super().info(params), "world_size": self.ranks.world, "parallel": self.mode}

    def _local(self, with_reference: bool = False) -> AbstractContextManager:
        """FSDP: the full weights for rank-local forwards (fsdp.gathered); DDP: nothing."""
        if not self.fsdp or self.learner is None:
            return nullcontext()
        modules = [self.learner.policy.module] + ([self.learner.reference.module] if with_reference else [])
        return gathered(*modules)

    # -- sharded methods -------------------------------------------------------------------
    def _shard(self, rows: list) -> tuple[int, int]:
        return shard_bounds(len(rows), self.ranks.rank, self.ranks.world)

    def _gathered(self, local: dict | None, error: WorkerError | None, keys: Sequence[str]) -> dict:
        """Rank 0: each key's lists of every rank, concatenated in rank order."""
        self.ranks.agree(error)
        parts = self.ranks.all_gather(local)
        if self.ranks.rank != 0:
            return {}
        return {k: [x for part in parts if part for x in part.get(k, [])] for k in keys}

    def generate(self, params: dict) -> dict:
        prompts = params.get("prompts") if isinstance(params, dict) else None
        if not isinstance(prompts, list) or not prompts:
            return super().generate(params)  # the same parameter error on every rank
        lo, hi = self._shard(prompts)
        mine = {**params, "prompts": prompts[lo:hi]}
        seed = params.get("seed")
        if isinstance(seed, int) and not isinstance(seed, bool):
            mine["seed"] = seed + self.ranks.rank
        local, error = None, None
        try:
            with self._local():
                local = super().generate(mine) if hi > lo else {"results": []}
        except WorkerError as e:
            error = e
        return self._gathered(local, error, ["results"])

    def logprobs(self, params: dict) -> dict:
        prompts = params.get("prompts") if isinstance(params, dict) else None
        completions = params.get("completions") if isinstance(params, dict) else None
        if not (isinstance(prompts, list) and isinstance(completions, list)) or len(prompts) != len(completions) or not prompts:
            return super().logprobs(params)
        lo, hi = self._shard(prompts)
        local, error = None, None
        try:
            with self._local(with_reference=params.get("reference", True) is not False):
                if hi > lo:
                    local = super().logprobs({**params, "prompts": prompts[lo:hi], "completions": completions[lo:hi]})
        except WorkerError as e:
            error = e
        return self._gathered(local, error, ["policy", "reference", "completion_ids"])

    def train_step(self, params: dict) -> dict:
        tok, learner, _ = self._ready("train_step")
        raw = params.get("samples") if isinstance(params, dict) else None
        if not isinstance(raw, list) or not raw:
            read_train_step(params, len(tok))  # raises the parameter error, on every rank
        assert isinstance(raw, list)
        lo, hi = self._shard(raw)
        samples, micro, error = [], 1, None
        try:
            samples, micro = read_train_step({**params, "samples": raw[lo:hi]}, len(tok), min_samples=0)
        except WorkerError as e:
            error = e
        self.ranks.agree(error)  # before the learner's collectives
        return learner.train_step(samples, micro)

    def pretrain(self, params: dict, notify=None) -> dict:
        result = super().pretrain(params, notify)
        assert self.learner is not None
        if self.fsdp:  # each rank stepped its own shard with the same averaged gradients
            return result
        for module in (self.learner.policy.module, self.learner.reference.module):
            for t in module.state_dict().values():
                dist.broadcast(t, src=0)  # identical already on one machine; certain everywhere
        return result

    # -- checkpoints -----------------------------------------------------------------------
    def _rng_state(self) -> dict:
        own = super()._rng_state()["rng"]
        every = self.ranks.all_gather(own)
        return {"rng": every[0], "rng_ranks": every, "world_size": self.ranks.world}

    def _write_checkpoint(self, path: str, state: dict) -> int:
        error, size = None, 0
        if self.ranks.rank == 0:
            try:
                size = save_checkpoint(path, state)
            except OSError as e:
                error = BadParamsError(f"save: cannot write {path}: {e}")
        self.ranks.agree(error)
        return size

    def _weight_states(self) -> dict:
        if not self.fsdp:
            return super()._weight_states()
        assert self.learner is not None and self.built is not None
        out = {
            "policy": full_model_state(self.learner.policy.module),
            "optimizer": full_optimizer_state(self.learner.policy.module, self.learner.optimizer),
        }
        if self.built.name == "tiny":  # its checkpoints carry the reference weights too
            out["reference"] = full_model_state(self.learner.reference.module)
        return out

    def _load_weights(self, state: dict, with_optimizer: bool) -> None:
        if not self.fsdp:
            return super()._load_weights(state, with_optimizer)
        assert self.learner is not None
        optim = state["optimizer"] if with_optimizer else None
        load_full_state(self.learner.policy.module, self.learner.optimizer, state["policy"], optim)

    def _restore_rng(self, state: dict) -> None:
        assert self.sample_gen is not None
        ranks = state.get("rng_ranks")
        self.exact_rng = isinstance(ranks, list) and len(ranks) == self.ranks.world
        if self.exact_rng:
            restore_rng_states(ranks[self.ranks.rank])
            self.sample_gen.set_state(ranks[self.ranks.rank]["sampling"])
        else:  # another world size (or a single-process file): fresh per-rank generators
            restore_rng_states(state["rng"])
            if self.ranks.rank:
                torch.manual_seed(self.seed + self.ranks.rank)
            self.sample_gen.manual_seed(self.seed + 1 + self.ranks.rank)

    def load(self, params: dict) -> dict:
        path = params.get("path") if isinstance(params, dict) else None
        missing = isinstance(path, str) and not os.path.isfile(path)
        self.ranks.agree(CheckpointNotFoundError(f"no checkpoint at {path}") if missing else None)
        self.exact_rng = False
        result = super().load(params)
        return {**result, "world_size": self.ranks.world, "exact_rng": self.exact_rng}

