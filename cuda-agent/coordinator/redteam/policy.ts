/**
 * The red team's policy: independent categorical heads (softmax over logits), one per choice of
 * an answer program (answer-program.ts). It has no input: it cannot see the question's fact, so
 * all it can learn is which format a judge pays for.
 *
 * log pi(program) = sum over heads h of log softmax(theta_h)[a_h], so the gradient of
 * log pi with respect to theta_h is onehot(a_h) - softmax(theta_h) (a vector of the head's size).
 *
 * Update (GRPO with one on-policy epoch, so the importance ratio is 1 and clipping never binds;
 * beta = 0, no KL term: a red team should find any paid format, not stay near its start):
 *   g_h = (1 / N) * sum over trained samples i of A_i * (onehot(a_h,i) - softmax(theta_h))
 * and theta_h moves up g_h by Adam (lr, beta1 0.9, beta2 0.999, eps 1e-8). N counts only the
 * samples with an advantage (a failed verdict is masked, never read as reward 0).
 */
import type { Rng } from '../../../lib/rng.ts';

export interface PolicySnapshot {
  /** Per head: its softmax probabilities. */
  probs: number[][];
  /** Mean entropy over heads, nats. */
  entropy: number;
}

function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

export class FactoredPolicy {
  private readonly logits: number[][];
  private readonly m: number[][];
  private readonly v: number[][];
  private t = 0;

  constructor(
    readonly headSizes: readonly number[],
    private readonly lr = 0.1,
  ) {
    // Uniform start: every format equally likely.
    this.logits = headSizes.map((n) => new Array<number>(n).fill(0));
    this.m = headSizes.map((n) => new Array<number>(n).fill(0));
    this.v = headSizes.map((n) => new Array<number>(n).fill(0));
  }

  probs(): number[][] {
    return this.logits.map(softmax);
  }

  /** One choice per head, sampled. */
  sample(rng: Rng): number[] {
    return this.probs().map((p) => {
      let u = rng.next();
      for (let i = 0; i < p.length; i++) {
        u -= p[i]!;
        if (u < 0) return i;
      }
      return p.length - 1;
    });
  }

  /** The most probable choice of each head. */
  mode(): number[] {
    return this.probs().map((p) => p.indexOf(Math.max(...p)));
  }

  /** One policy-gradient step from (choices, advantage) pairs; null advantages are skipped. */
  update(samples: ReadonlyArray<{ choices: readonly number[]; advantage: number | null }>): void {
    const trained = samples.filter((s) => s.advantage !== null);
    if (trained.length === 0) return;
    const probs = this.probs();
    const grads = this.headSizes.map((n) => new Array<number>(n).fill(0));
    for (const s of trained) {
      const a = s.advantage!;
      for (let h = 0; h < this.headSizes.length; h++) {
        const g = grads[h]!;
        const p = probs[h]!;
        for (let k = 0; k < g.length; k++) g[k]! += a * ((s.choices[h] === k ? 1 : 0) - p[k]!);
      }
    }
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    for (let h = 0; h < this.headSizes.length; h++) {
      for (let k = 0; k < this.headSizes[h]!; k++) {
        const g = grads[h]![k]! / trained.length;
        this.m[h]![k] = b1 * this.m[h]![k]! + (1 - b1) * g;
        this.v[h]![k] = b2 * this.v[h]![k]! + (1 - b2) * g * g;
        const mHat = this.m[h]![k]! / (1 - b1 ** this.t);
        const vHat = this.v[h]![k]! / (1 - b2 ** this.t);
        // Ascent: the objective is expected reward.
        this.logits[h]![k]! += (this.lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      }
    }
  }

  snapshot(): PolicySnapshot {
    const probs = this.probs();
    const entropy =
      probs.reduce((a, p) => a - p.reduce((s, x) => s + (x > 0 ? x * Math.log(x) : 0), 0), 0) /
      probs.length;
    return { probs, entropy };
  }
}
