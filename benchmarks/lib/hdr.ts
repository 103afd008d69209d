/**
 * Latency histograms: HdrHistogram (hdr-histogram-js) recording microseconds at 3 significant
 * digits, so a percentile read back is within 0.1% of the true sample and recording is O(1)
 * whatever the count. Summaries are in milliseconds.
 */
import * as hdr from 'hdr-histogram-js';

/** One minute in microseconds: the largest latency a benchmark records (longer is clamped). */
const HIGHEST_US = 60_000_000;

export type Histogram = hdr.Histogram;

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Record one latency given in milliseconds (sub-microsecond rounds up to 1 µs). */
export function recordMs(h: Histogram, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency ${ms} ms is not a duration`);
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

/** Percentiles of a histogram in ms; an empty one is all zeros with count 0. */
export function summarize(h: Histogram): LatencySummary {
  const at = (p: number) => (h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    meanMs: h.totalCount === 0 ? 0 : h.mean / 1000,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: h.totalCount === 0 ? 0 : h.maxValue / 1000,
  };
}
