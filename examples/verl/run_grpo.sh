#!/usr/bin/env bash
# GRPO on FactRecall-v0 with verl (paper settings: n=5, KL 0.001, clip 0.2, lr 1e-6, T=1.0).
# Rewards come from `factrecall serve` through the batch reward manager: one env step per
# batch. verl needs GPUs; written to verl's documented config keys, not run on this machine.
set -euo pipefail
DATA=${DATA:-data}
MODEL=${MODEL:-Qwen/Qwen2.5-7B-Instruct}
REWARD=$(python -c 'import factrecall_integrations.verl as m; print(m.__file__)')
python -m verl.trainer.main_ppo \
  algorithm.adv_estimator=grpo \
  data.train_files="$DATA/train.parquet" data.val_files="$DATA/val.parquet" \
  data.train_batch_size=128 data.max_prompt_length=256 data.max_response_length=32 \
  actor_rollout_ref.model.path="$MODEL" \
  actor_rollout_ref.actor.optim.lr=1e-6 \
  actor_rollout_ref.actor.use_kl_loss=True actor_rollout_ref.actor.kl_loss_coef=0.001 \
  actor_rollout_ref.actor.kl_loss_type=low_var_kl \
  actor_rollout_ref.actor.clip_ratio=0.2 \
  actor_rollout_ref.rollout.n=5 actor_rollout_ref.rollout.temperature=1.0 \
  actor_rollout_ref.rollout.top_p=1.0 \
  reward_model.reward_manager=batch \
  custom_reward_function.path="$REWARD" custom_reward_function.name=compute_score_batch \
  +custom_reward_function.reward_kwargs.url="${FACTRECALL_URL:-ws://127.0.0.1:8700/v1/ws}" \
  trainer.total_epochs=8 trainer.logger=console "$@"
