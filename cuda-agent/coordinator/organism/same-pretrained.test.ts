import { describe, expect, it } from 'vitest';
import { samePretrainedModel } from './compare-run.ts';
import type { PretrainMeta } from './pretrain.ts';

const meta = (over: Partial<PretrainMeta> = {}): PretrainMeta => ({
  key: '5a0dbe5fd06823eb',
  worldFingerprint: 'e504bdf0eaa93276',
  parameters: 495744,
  vocabSize: 709,
  documents: 1500,
  epochLosses: [4.205978676724466, 1.731687118014534, 0.3198231961653681],
  seconds: 123,
  createdAt: '2026-12-01T14:14:25.676Z',
  ...over,
});

describe('samePretrainedModel', () => {
  it('is the same model when the key and every epoch loss agree, whenever and however fast it ran', () => {
    expect(
      samePretrainedModel(meta(), meta({ seconds: 1228, createdAt: '2026-12-02T00:20:00Z' })),
    ).toBe(true);
  });

  it('is another model when a loss differs in its last digits, an epoch is missing, or the key differs', () => {
    // Seed 1 pretrained again at stop 23: 0.32011539003282463 at the last epoch.
    expect(
      samePretrainedModel(
        meta(),
        meta({ epochLosses: [4.205978676724466, 1.731687118014534, 0.32011539003282463] }),
      ),
    ).toBe(false);
    expect(
      samePretrainedModel(meta(), meta({ epochLosses: [4.205978676724466, 1.731687118014534] })),
    ).toBe(false);
    expect(samePretrainedModel(meta(), meta({ key: 'ba89ccbc783bb5b3' }))).toBe(false);
  });
});
