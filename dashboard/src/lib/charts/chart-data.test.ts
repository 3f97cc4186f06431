import { describe, expect, it } from 'vitest';
import { binLabel, countTicks, stackByClass, thinTicks, totalsByClass } from './chart-data';

const buckets = [
  { bucketStart: '2025-01-16T00:00:00Z', counts: { HOT: 0, WARM: 4, COLD: 0, PROCESSING: 1 } },
  { bucketStart: '2025-01-15T00:00:00Z', counts: { HOT: 2, WARM: 1, COLD: 3, PROCESSING: 0 } },
];

describe('stackByClass', () => {
  it('orders buckets oldest first and stacks classes hot, warm, cold, processing', () => {
    const [first, second] = stackByClass(buckets);

    expect(first?.bucketStart).toBe('2025-01-15T00:00:00Z');
    expect(first?.total).toBe(6);
    expect(first?.segments).toEqual([
      { leadClass: 'HOT', count: 2, from: 0, to: 2 },
      { leadClass: 'WARM', count: 1, from: 2, to: 3 },
      { leadClass: 'COLD', count: 3, from: 3, to: 6 },
      { leadClass: 'PROCESSING', count: 0, from: 6, to: 6 },
    ]);
    expect(second?.total).toBe(5);
  });

  it('leaves the caller array in its order', () => {
    stackByClass(buckets);
    expect(buckets[0]?.bucketStart).toBe('2025-01-16T00:00:00Z');
  });
});

describe('totalsByClass', () => {
  it('adds each class over all buckets', () => {
    expect(totalsByClass(buckets)).toEqual({ HOT: 2, WARM: 5, COLD: 3, PROCESSING: 1 });
    expect(totalsByClass([])).toEqual({ HOT: 0, WARM: 0, COLD: 0, PROCESSING: 0 });
  });
});

describe('binLabel', () => {
  it('prints a range with an en dash, or a single score', () => {
    const format = (value: number) => value.toLocaleString('pt-BR');
    expect(binLabel({ min: 1000, max: 1999, count: 0 }, format)).toBe('1.000–1.999');
    expect(binLabel({ min: -5, max: -5, count: 0 }, format)).toBe('-5');
  });
});

describe('thinTicks', () => {
  it('keeps every tick when they fit', () => {
    expect(thinTicks(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
  });

  it('keeps every n-th tick from the first when they do not fit', () => {
    const hours = Array.from({ length: 24 }, (_, hour) => hour);
    expect(thinTicks(hours, 6)).toEqual([0, 4, 8, 12, 16, 20]);
    expect(thinTicks(hours, 0)).toEqual([0]);
  });
});

describe('countTicks', () => {
  it('drops fractional ticks', () => {
    expect(countTicks([0, 0.5, 1, 1.5, 2])).toEqual([0, 1, 2]);
  });
});
