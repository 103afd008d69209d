"""GRPO with TRL on FactRecall-v0, rewards from a live `factrecall serve` (paper settings).

    factrecall env export --split train --out train.jsonl      # add --splits nq_open etc.
    factrecall serve &                                          # same --splits / --judge
    python examples/trl_grpo.py --model Qwen/Qwen2.5-7B-Instruct

Loss: TRL's "dapo" (token mean over the whole batch, as the project's GRPO worker), KL to the
reference 0.001, clip 0.2, lr 1e-6, 5 samples per question, T=1.0, answers of at most 32
tokens (direct answers, no reasoning). A judge failure reaches TRL as None: masked, never 0.
"""
import argparse

from trl import GRPOConfig, GRPOTrainer

from factrecall_integrations.trl import FactRecallCallback, FactRecallReward, train_dataset

p = argparse.ArgumentParser()
p.add_argument("--model", required=True, help="hub id or local directory of a causal LM")
p.add_argument("--data", default="train.jsonl", help="factrecall env export --split train")
p.add_argument("--server", default="ws://127.0.0.1:8700/v1/ws")
p.add_argument("--max-steps", type=int, default=-1)
p.add_argument("--out", default="runs/trl-grpo")
p.add_argument("--cpu", action="store_true", help="train on CPU (float32)")
a = p.parse_args()

reward = FactRecallReward(a.server)
args = GRPOConfig(
    output_dir=a.out, learning_rate=1e-6, beta=0.001, epsilon=0.2, loss_type="dapo",
    num_generations=5, per_device_train_batch_size=10, temperature=1.0, top_p=1.0,
    max_completion_length=32, num_train_epochs=8, max_steps=a.max_steps, logging_steps=1,
    report_to=[], use_cpu=a.cpu, bf16=not a.cpu,
)
GRPOTrainer(model=a.model, reward_funcs=[reward], args=args, train_dataset=train_dataset(a.data),
            callbacks=[FactRecallCallback(reward)]).train()
