import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cgroupCpuLimit, usableCpus } from './threads.ts';

describe('usableCpus', () => {
  it('reads a cgroup v2 quota as whole CPUs (at least 1) and "max" as no limit', () => {
    expect(cgroupCpuLimit('200000 100000\n')).toBe(2);
    expect(cgroupCpuLimit('150000 100000')).toBe(1);
    expect(cgroupCpuLimit('50000 100000')).toBe(1);
    expect(cgroupCpuLimit('max 100000')).toBeUndefined();
    expect(cgroupCpuLimit(undefined)).toBeUndefined();
  });

  it('never exceeds the CPUs in the affinity mask', () => {
    expect(usableCpus()).toBeGreaterThanOrEqual(1);
    expect(usableCpus()).toBeLessThanOrEqual(availableParallelism());
  });
});
