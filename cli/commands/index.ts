import type { Command } from 'commander';
import { register as analyze } from './analyze.ts';
import { register as compare } from './compare.ts';
import { register as data } from './data.ts';
import { register as dataPrepare } from './data-prepare.ts';
import { register as demo } from './demo.ts';
import { register as env } from './env.ts';
import { register as envExport } from './env-export.ts';
import { register as evaluate } from './eval.ts';
import { register as judge } from './judge.ts';
import { register as leaderboard } from './leaderboard.ts';
import { register as leaderboardAdmin } from './leaderboard-admin.ts';
import { register as leaderboardAgents } from './leaderboard-agents.ts';
import { register as model } from './model.ts';
import { register as redteamGrpo } from './redteam-grpo.ts';
import { register as serve } from './serve.ts';
import { register as train } from './train.ts';
import { register as world } from './world.ts';
import { register as worldPretrain } from './world-pretrain.ts';

/** Every subcommand group; each file adds its commands to the program. */
export const COMMANDS: Array<(program: Command) => void> = [
  world,
  worldPretrain,
  train,
  judge,
  redteamGrpo,
  serve,
  env,
  envExport,
  demo,
  data,
  dataPrepare,
  leaderboard,
  leaderboardAdmin,
  leaderboardAgents,
  model,
  evaluate,
  compare,
  analyze,
];
