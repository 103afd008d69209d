"""A hand check, not collected by pytest: the hf engine (random Llama) trained 2 steps by one
process and by 2 gloo ranks under torchrun on the same samples; prints losses, grad norms and
the largest weight gap. Run: .venv/bin/python cuda-agent/worker/tests/dp_hf_check.py"""
import sys, os, tempfile, torch
sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
torch.set_num_threads(1)
from tiny_hf import build_tiny_hf
from worker_process import WorkerProcess
from factrecall_worker.policy_worker import PolicyWorker
d = build_tiny_hf(tempfile.mkdtemp() + "/m")
init = {"engine": "hf", "seed": 3, "device": "cpu", "threads": 1, "model": {"path": d}, "optim": {"lr": 1e-2}}
single = PolicyWorker(); single.init(init)
chat = lambda q: {"messages": [{"role": "user", "content": q}]}
out = single.generate({"prompts": [chat("Where was Alice Smith born ?"), chat("Where was Chen Wei born ?"), chat("Alice Smith was born in Paris .")], "n": 3, "max_new_tokens": 4, "seed": 1})
samples = [{"prompt_ids": r["prompt_ids"], "completion_ids": s["token_ids"], "old_logprobs": s["logprobs"], "advantage": (-1.0) ** i} for r in out["results"] for i, s in enumerate(r["samples"])]
dp = WorkerProcess([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"], env={"OMP_NUM_THREADS": "1", "GLOO_SOCKET_IFNAME": "lo"})
dp.call("init", init)
for _ in range(2):
    a = single.train_step({"samples": samples, "micro_batch_size": 2}); b = dp.call("train_step", {"samples": samples, "micro_batch_size": 2})
    print(a["loss"], b["loss"], a["grad_norm"], b["grad_norm"])
p = tempfile.mkdtemp() + "/c.pt"; dp.call("save", {"path": p})
got = torch.load(p, weights_only=True)["policy"]; want = single.learner.policy.module.state_dict()
print("max gap", max(float((want[k] - got[k]).abs().max()) for k in want))
print(dp.close())
