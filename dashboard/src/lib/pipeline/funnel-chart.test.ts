import { render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LeadStage } from '$lib/graphql/generated/graphql';
import { I18n } from '$lib/i18n/i18n.svelte';
import type { Locale } from '$lib/i18n/locale';
import { fakeElementSize } from '../../test/layout';
import FunnelChart from './FunnelChart.svelte';

// The chart keeps 92 px on the left for stage names and 88 px on the right for values.
const BAR_AREA = 400 - 92 - 88;

afterEach(() => {
  vi.restoreAllMocks();
});

type Step = { stage: LeadStage; reached: number; current: number };

const steps: Step[] = [
  { stage: 'NEW', reached: 1000, current: 400 },
  { stage: 'CONTACTED', reached: 500, current: 200 },
  { stage: 'QUALIFIED', reached: 250, current: 100 },
  { stage: 'WON', reached: 125, current: 125 },
  { stage: 'LOST', reached: 0, current: 0 },
];

function renderFunnel(props: { steps: Step[]; locale?: Locale }) {
  fakeElementSize(400, 180);
  return render(FunnelChart, {
    props: { i18n: new I18n(props.locale ?? 'en'), title: 'Funnel by stage', steps: props.steps },
  }).container;
}

function bars(container: Element) {
  return [...container.querySelectorAll('.funnel-bars > g')].map((bar) => {
    const rect = bar.querySelector('rect');
    return {
      stage: bar.getAttribute('data-stage'),
      label: bar.querySelector('.label')?.textContent?.trim(),
      value: bar.querySelector('.value')?.textContent?.trim(),
      x: Number(rect?.getAttribute('x')),
      width: Number(rect?.getAttribute('width')),
    };
  });
}

describe('FunnelChart', () => {
  it('draws one centred bar per stage, as long as the leads that reached it', () => {
    expect(bars(renderFunnel({ steps, locale: 'pt-BR' }))).toEqual([
      { stage: 'NEW', label: 'Novo', value: '1.000 (100%)', x: 0, width: BAR_AREA },
      {
        stage: 'CONTACTED',
        label: 'Contatado',
        value: '500 (50%)',
        x: BAR_AREA / 4,
        width: BAR_AREA / 2,
      },
      {
        stage: 'QUALIFIED',
        label: 'Qualificado',
        value: '250 (25%)',
        x: (BAR_AREA * 3) / 8,
        width: BAR_AREA / 4,
      },
      {
        stage: 'WON',
        label: 'Ganho',
        value: '125 (12,5%)',
        x: (BAR_AREA * 7) / 16,
        width: BAR_AREA / 8,
      },
      { stage: 'LOST', label: 'Perdido', value: '0 (0%)', x: BAR_AREA / 2, width: 0 },
    ]);
  });

  it('gives screen readers every stage in words and in a table with the leads at it now', () => {
    renderFunnel({ steps });
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      'Funnel by stage: New: 1,000 (100%), Contacted: 500 (50%), Qualified: 250 (25%), Won: 125 (12.5%), and Lost: 0 (0%).',
    );
    const table = screen.getByRole('table', { name: 'Funnel by stage' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((row) => [...row.children].map((cell) => cell.textContent?.trim())),
    ).toEqual([
      ['Stage', 'Reached', '% of leads', 'Now'],
      ['New', '1,000', '100%', '400'],
      ['Contacted', '500', '50%', '200'],
      ['Qualified', '250', '25%', '100'],
      ['Won', '125', '12.5%', '125'],
      ['Lost', '0', '0%', '0'],
    ]);
  });

  it('redraws when the figures change', async () => {
    fakeElementSize(400, 180);
    const { container, rerender } = render(FunnelChart, {
      props: { i18n: new I18n('en'), title: 'Funnel by stage', steps },
    });
    await rerender({
      i18n: new I18n('en'),
      title: 'Funnel by stage',
      steps: steps.map((step) =>
        step.stage === 'WON' ? { ...step, reached: 500, current: 500 } : step,
      ),
    });
    expect(bars(container).find((bar) => bar.stage === 'WON')).toMatchObject({
      value: '500 (50%)',
      width: BAR_AREA / 2,
    });
  });

  it('shows the empty state when no lead entered the funnel', () => {
    const container = renderFunnel({
      steps: steps.map((step) => ({ ...step, reached: 0, current: 0 })),
    });
    expect(screen.getByText('No data to show yet.')).toBeTruthy();
    expect(container.querySelector('svg')).toBeNull();
  });
});
