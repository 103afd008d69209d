"""FactRecall-v0 inside other trainers: TRL (``factrecall_integrations.trl``), verl
(``.verl``) and verifiers (``.verifiers_env``). Every reward comes from a live
``factrecall serve`` through :class:`EnvScorer`; a judge failure is ``None``, never 0."""
from .data import ExportFormatError, read_export
from .scorer import EnvScorer, Scored

__all__ = ["EnvScorer", "ExportFormatError", "Scored", "read_export"]
