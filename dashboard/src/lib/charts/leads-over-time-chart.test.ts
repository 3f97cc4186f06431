import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import type { Locale } from '$lib/i18n/locale';
import { fakeElementSize } from '../../test/layout';
import type { BucketSize, ClassCountsBucket } from './chart-data';
import LeadsOverTimeChart from './LeadsOverTimeChart.svelte';

// 12:00 UTC is 09:00 in São Paulo. Given out of order: the chart sorts them.
const hourly: ClassCountsBucket[] = [
  { bucketStart: '2025-01-15T14:00:00Z', counts: { HOT: 1, WARM: 1, COLD: 1, PROCESSING: 1 } },
  { bucketStart: '2025-01-15T12:00:00Z', counts: { HOT: 2, WARM: 1, COLD: 0, PROCESSING: 0 } },
  { bucketStart: '2025-01-15T13:00:00Z', counts: { HOT: 0, WARM: 0, COLD: 3, PROCESSING: 1 } },
];

// ChartFigure's default plot height; the chart's padding takes 36 px across and 36 px down.
const WIDTH = 396;
const HEIGHT = 256;

afterEach(() => {
  vi.restoreAllMocks();
});

function renderChart({
  buckets = hourly,
  bucketSize = 'hour',
  locale = 'en',
}: { buckets?: ClassCountsBucket[]; bucketSize?: BucketSize; locale?: Locale } = {}) {
  fakeElementSize(WIDTH, HEIGHT);
  const i18n = new I18n(locale);
  const { container } = render(LeadsOverTimeChart, {
    props: { i18n, title: 'Leads over time', buckets, bucketSize },
  });
  return { i18n, container };
}

function segments(container: Element) {
  return [...container.querySelectorAll('rect[data-class]')].map((rect) => ({
    leadClass: rect.getAttribute('data-class'),
    x: Number(rect.getAttribute('x')),
    y: Number(rect.getAttribute('y')),
    height: Number(rect.getAttribute('height')),
  }));
}

describe('LeadsOverTimeChart', () => {
  it('draws one segment per class with leads in each bucket', () => {
    const { container } = renderChart();

    const drawn = segments(container);
    expect(drawn).toHaveLength(8);
    expect(drawn.map((segment) => segment.leadClass)).toEqual([
      ...['HOT', 'WARM'],
      ...['COLD', 'PROCESSING'],
      ...['HOT', 'WARM', 'COLD', 'PROCESSING'],
    ]);
  });

  it('stacks classes from the bottom with heights proportional to their counts', () => {
    const { container } = renderChart();

    // The tallest bucket holds 4 leads over a 220 px plot: 55 px per lead.
    const [hot, warm, cold, processing] = segments(container);
    expect(hot).toMatchObject({ y: 110, height: 110 });
    expect(warm).toMatchObject({ y: 55, height: 55 });
    expect(cold).toMatchObject({ y: 55, height: 165 });
    expect(processing).toMatchObject({ y: 0, height: 55 });
    expect(hot!.x).toBeLessThan(cold!.x);
  });

  it('labels the time axis in São Paulo time, oldest bucket first', () => {
    const { container } = renderChart({ locale: 'pt-BR' });

    const labels = [...container.querySelectorAll('.x-axis text')].map((t) =>
      t.textContent?.trim(),
    );
    expect(labels).toEqual(['09:00', '10:00', '11:00']);
  });

  it('labels day buckets with day and month', () => {
    const { container } = renderChart({
      locale: 'pt-BR',
      bucketSize: 'day',
      buckets: [
        {
          bucketStart: '2025-01-15T03:00:00Z',
          counts: { HOT: 1, WARM: 0, COLD: 0, PROCESSING: 0 },
        },
        {
          bucketStart: '2025-01-16T03:00:00Z',
          counts: { HOT: 0, WARM: 2, COLD: 0, PROCESSING: 0 },
        },
      ],
    });

    const labels = [...container.querySelectorAll('.x-axis text')].map((t) =>
      t.textContent?.trim(),
    );
    expect(labels).toEqual(['15/01', '16/01']);
  });

  it('names every class in the legend in the current language', () => {
    const { i18n } = renderChart({ locale: 'pt-BR' });
    const legend = () =>
      within(screen.getByRole('list', { name: 'Legenda' }))
        .getAllByRole('listitem')
        .map((item) => item.textContent?.trim());

    expect(legend()).toEqual(['Quente', 'Morno', 'Frio', 'Em processamento']);

    i18n.locale = 'en';
    flushSync();
    expect(
      within(screen.getByRole('list', { name: 'Legend' }))
        .getAllByRole('listitem')
        .map((item) => item.textContent?.trim()),
    ).toEqual(['Hot', 'Warm', 'Cold', 'Processing']);
  });

  it('sums up the period and the totals per class for screen readers', () => {
    renderChart();

    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      '11 leads from 1/15/25, 9:00 AM to 1/15/25, 11:00 AM: Hot: 3, Warm: 2, Cold: 4, and Processing: 2.',
    );
  });

  it('lists every bucket with its counts in the data table', () => {
    renderChart();

    const table = screen.getByRole('table', { name: 'Leads over time' });
    const rows = within(table)
      .getAllByRole('row')
      .map((row) => [...row.children].map((cell) => cell.textContent?.trim()));
    expect(rows).toEqual([
      ['Period', 'Hot', 'Warm', 'Cold', 'Processing', 'Total'],
      ['1/15/25, 9:00 AM', '2', '1', '0', '0', '3'],
      ['1/15/25, 10:00 AM', '0', '0', '3', '1', '4'],
      ['1/15/25, 11:00 AM', '1', '1', '1', '1', '4'],
    ]);
  });

  it('shows the empty state without buckets or without leads', () => {
    const { container } = renderChart({ buckets: [] });
    expect(screen.getByText('No data to show yet.')).toBeTruthy();
    expect(container.querySelector('svg')).toBeNull();
    expect(screen.queryByRole('list')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();

    renderChart({
      buckets: [
        {
          bucketStart: '2025-01-15T12:00:00Z',
          counts: { HOT: 0, WARM: 0, COLD: 0, PROCESSING: 0 },
        },
      ],
    });
    expect(screen.getAllByText('No data to show yet.')).toHaveLength(2);
  });
});
