"""FactRecall-v0 as a verifiers environment (verifiers 0.4, v1 API), judged by `factrecall serve`.

    factrecall env export --split train --out train.jsonl
    factrecall serve &
    python examples/verifiers_env.py            # scores three example rollouts per task

For prime-rl / vf-eval, the taskset id is `factrecall-verifiers`:
    --env.taskset.id factrecall-verifiers --env.taskset.export train.jsonl
    --env.taskset.task.url ws://127.0.0.1:8700/v1/ws
"""
import asyncio
import sys

import verifiers.v1 as vf

from factrecall_integrations.verifiers_env import load_environment

export = sys.argv[1] if len(sys.argv) > 1 else "train.jsonl"
env = load_environment(export, url=sys.argv[2] if len(sys.argv) > 2 else "ws://127.0.0.1:8700/v1/ws")
tasks = list(env.taskset)[:4]


async def main():
    # Normally the harness produces the traces; here three fixed replies per task.
    traces = [(t, vf.Trace.model_construct(rewards={}, metrics={}, root_reply=r))
              for t in tasks for r in ("Paris", "1970", "I don't know")]
    done = await asyncio.gather(*(t.score(tr) for t, tr in traces), return_exceptions=True)
    for (t, tr), d in zip(traces, done):
        print(t.data.question_id, repr(tr.root_reply), tr.rewards.get("correct"), d or "")


asyncio.run(main())
