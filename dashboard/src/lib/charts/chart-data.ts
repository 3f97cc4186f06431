import { LEAD_CLASSES, type ClassCounts, type LeadClass } from './lead-classes';

/** Leads per class in one time bucket (an hour or a day). */
export interface ClassCountsBucket {
  /** ISO 8601 instant at which the bucket starts. */
  bucketStart: string;
  counts: ClassCounts;
}

export type BucketSize = 'hour' | 'day';

/** One bar of a bar chart: a leads count, or a ratio (0 to 1) when shown as percentages. */
export interface CategoryValue {
  label: string;
  value: number;
}

/** Leads whose score lies in [min, max], both inclusive. */
export interface ScoreBin {
  min: number;
  max: number;
  count: number;
}

export interface StackSegment {
  leadClass: LeadClass;
  count: number;
  /** Where the segment starts and ends on the count axis. */
  from: number;
  to: number;
}

export interface StackedBucket {
  bucketStart: string;
  total: number;
  segments: StackSegment[];
}

/** Stacks each bucket's classes in LEAD_CLASSES order, buckets oldest first. */
export function stackByClass(buckets: readonly ClassCountsBucket[]): StackedBucket[] {
  return [...buckets]
    .sort((a, b) => Date.parse(a.bucketStart) - Date.parse(b.bucketStart))
    .map(({ bucketStart, counts }) => {
      let running = 0;
      const segments = LEAD_CLASSES.map((leadClass) => {
        const from = running;
        running += counts[leadClass];
        return { leadClass, count: counts[leadClass], from, to: running };
      });
      return { bucketStart, total: running, segments };
    });
}

export function totalsByClass(buckets: readonly ClassCountsBucket[]): ClassCounts {
  const totals: ClassCounts = { HOT: 0, WARM: 0, COLD: 0, PROCESSING: 0 };
  for (const { counts } of buckets) {
    for (const leadClass of LEAD_CLASSES) totals[leadClass] += counts[leadClass];
  }
  return totals;
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** "10–19", or "10" for a one-score bin. */
export function binLabel({ min, max }: ScoreBin, formatNumber: (value: number) => string): string {
  return min === max ? formatNumber(min) : `${formatNumber(min)}–${formatNumber(max)}`;
}

/**
 * Every `step`-th value, so axis labels never overlap: as many as fit `maxCount`, the first
 * always kept.
 */
export function thinTicks<T>(values: readonly T[], maxCount: number): T[] {
  const step = Math.max(1, Math.ceil(values.length / Math.max(1, Math.floor(maxCount))));
  return values.filter((_, index) => index % step === 0);
}

/** Whole-number ticks only: a count axis never reads "0.5 leads". */
export function countTicks(ticks: readonly number[]): number[] {
  return ticks.filter((tick) => Number.isInteger(tick));
}
