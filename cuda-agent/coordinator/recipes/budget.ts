/**
 * The budget every recipe reports the same way, so that recipes are compared at equal cost:
 * questions seen (question views, counted once per reset that handed the question out),
 * samples drawn from the policy (0 for SFT, which reads gold answers), and optimizer steps.
 */
import type { StepMetrics } from '../training/metrics.ts';

export interface Budget {
  questionsSeen: number;
  samplesDrawn: number;
  gradientSteps: number;
}

export const emptyBudget = (): Budget => ({ questionsSeen: 0, samplesDrawn: 0, gradientSteps: 0 });

/** GRPO's budget from its step metrics: every step is one reset and `innerEpochs` optimizer steps. */
export function grpoBudget(steps: readonly StepMetrics[], innerEpochs: number): Budget {
  return {
    questionsSeen: steps.reduce((a, s) => a + s.questions, 0),
    samplesDrawn: steps.reduce((a, s) => a + s.samples, 0),
    gradientSteps: steps.length * innerEpochs,
  };
}

/** One optimizer step of a recipe, for its metrics file. */
export interface RecipeStepRow {
  recipe: string;
  round: number;
  step: number;
  /** Rows the step learnt from: answers (SFT, RFT) or pairs (DPO). */
  rows: number;
  loss: number;
  gradNorm: number;
  /** DPO: share of pairs whose margin is positive. */
  pairAccuracy?: number;
}

export interface RecipeResult {
  recipe: string;
  budget: Budget;
  steps: RecipeStepRow[];
  /** Per round: answers kept (RFT) or pairs formed (DPO), of samples drawn. */
  rounds: { round: number; samples: number; kept: number }[];
}
