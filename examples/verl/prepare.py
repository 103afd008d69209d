"""verl data for FactRecall-v0: train and val parquet from `factrecall env export` files.

    factrecall env export --split train --out data/train.jsonl   # add --splits nq_open etc.
    factrecall env export --split val --out data/val.jsonl
    python examples/verl/prepare.py data
    factrecall serve &        # then: bash examples/verl/run_grpo.sh  (on GPU machines)
"""
import sys

from factrecall_integrations.verl import export_parquet

d = sys.argv[1] if len(sys.argv) > 1 else "data"
for split in ("train", "val"):
    print(split, export_parquet(f"{d}/{split}.jsonl", f"{d}/{split}.parquet"), "rows")
