"""The verifiers taskset id ``factrecall-verifiers`` (verifiers imports tasksets by top-level
module name): ``vf-eval factrecall-verifiers --env.taskset.export train.jsonl ...``. The code
lives in ``factrecall_integrations.verifiers_env``."""
from factrecall_integrations.verifiers_env import (
    FactRecallTask,
    FactRecallTaskset,
    JudgeUnavailable,
    StepBatcher,
    load_environment,
    load_taskset,
)

__all__ = ["FactRecallTask", "FactRecallTaskset", "JudgeUnavailable", "StepBatcher",
           "load_environment", "load_taskset"]
