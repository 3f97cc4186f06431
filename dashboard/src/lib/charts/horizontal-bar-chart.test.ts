import { render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import type { Locale } from '$lib/i18n/locale';
import { fakeElementSize } from '../../test/layout';
import type { CategoryValue } from './chart-data';
import HorizontalBarChart from './HorizontalBarChart.svelte';

// The chart keeps 96 px on the left for labels and 56 px on the right for values.
const BAR_AREA = 400 - 96 - 56;

afterEach(() => {
  vi.restoreAllMocks();
});

function renderBars({
  items,
  valueFormat = 'count',
  locale = 'en',
}: {
  items: CategoryValue[];
  valueFormat?: 'count' | 'percent';
  locale?: Locale;
}) {
  fakeElementSize(400, 96);
  return render(HorizontalBarChart, {
    props: {
      i18n: new I18n(locale),
      title: 'Leads by origin',
      items,
      categoryLabel: 'Origin',
      valueLabel: 'Leads',
      valueFormat,
    },
  }).container;
}

function bars(container: Element) {
  return [...container.querySelectorAll('.horizontal-bars > g')].map((bar) => ({
    label: bar.querySelector('.label')?.textContent?.trim(),
    value: bar.querySelector('.value')?.textContent?.trim(),
    width: Number(bar.querySelector('rect')?.getAttribute('width')),
  }));
}

const origins: CategoryValue[] = [
  { label: 'Site', value: 1200 },
  { label: 'Google Ads', value: 300 },
  { label: 'WhatsApp', value: 0 },
];

describe('HorizontalBarChart', () => {
  it('draws one labelled bar per category, longest for the largest count', () => {
    const drawn = bars(renderBars({ items: origins, locale: 'pt-BR' }));

    expect(drawn).toEqual([
      { label: 'Site', value: '1.200', width: BAR_AREA },
      { label: 'Google Ads', value: '300', width: BAR_AREA / 4 },
      { label: 'WhatsApp', value: '0', width: 0 },
    ]);
  });

  it('draws rates as percentages on a 0 to 100% axis', () => {
    const drawn = bars(
      renderBars({
        items: [
          { label: 'Site', value: 0.5 },
          { label: 'Meta Ads', value: 0.125 },
        ],
        valueFormat: 'percent',
        locale: 'pt-BR',
      }),
    );

    expect(drawn).toEqual([
      { label: 'Site', value: '50%', width: BAR_AREA / 2 },
      { label: 'Meta Ads', value: '12,5%', width: BAR_AREA / 8 },
    ]);
  });

  it('sums up the total and every category for screen readers', () => {
    renderBars({ items: origins });

    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      'Leads by origin, 1,500 in total: Site: 1,200, Google Ads: 300, and WhatsApp: 0.',
    );
    const table = screen.getByRole('table', { name: 'Leads by origin' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((row) => [...row.children].map((cell) => cell.textContent?.trim())),
    ).toEqual([
      ['Origin', 'Leads'],
      ['Site', '1,200'],
      ['Google Ads', '300'],
      ['WhatsApp', '0'],
    ]);
  });

  it('shows rates of 0% as a chart, not as the empty state', () => {
    const container = renderBars({
      items: [{ label: 'Site', value: 0 }],
      valueFormat: 'percent',
    });

    expect(screen.queryByText('No data to show yet.')).toBeNull();
    expect(bars(container)).toEqual([{ label: 'Site', value: '0%', width: 0 }]);
  });

  it('shows the empty state without categories or without leads', () => {
    const container = renderBars({ items: [] });
    expect(screen.getByText('No data to show yet.')).toBeTruthy();
    expect(container.querySelector('svg')).toBeNull();

    renderBars({ items: [{ label: 'Site', value: 0 }] });
    expect(screen.getAllByText('No data to show yet.')).toHaveLength(2);
  });
});
