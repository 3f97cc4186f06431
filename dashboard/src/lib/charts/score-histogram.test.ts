import { render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import type { Locale } from '$lib/i18n/locale';
import { fakeElementSize } from '../../test/layout';
import type { ScoreBin } from './chart-data';
import ScoreHistogram from './ScoreHistogram.svelte';

const bins: ScoreBin[] = [
  { min: 0, max: 19, count: 1 },
  { min: 20, max: 39, count: 0 },
  { min: 40, max: 59, count: 5 },
  { min: 60, max: 79, count: 3 },
  { min: 80, max: 100, count: 2 },
];

afterEach(() => {
  vi.restoreAllMocks();
});

function renderHistogram(data: ScoreBin[] = bins, locale: Locale = 'en') {
  fakeElementSize(400, 256);
  return render(ScoreHistogram, {
    props: { i18n: new I18n(locale), title: 'Score distribution', bins: data },
  }).container;
}

function bars(container: Element) {
  return [...container.querySelectorAll('.column-bars rect')].map((rect) => ({
    x: Number(rect.getAttribute('x')),
    height: Number(rect.getAttribute('height')),
  }));
}

describe('ScoreHistogram', () => {
  it('draws one bar per bin, empty bins included, in bin order', () => {
    const drawn = bars(renderHistogram());

    expect(drawn).toHaveLength(5);
    expect(drawn.map((bar) => bar.x)).toEqual([...drawn.map((bar) => bar.x)].sort((a, b) => a - b));
    expect(drawn[1]?.height).toBe(0);
  });

  it('gives each bar a height proportional to its count', () => {
    const [one, , five, three] = bars(renderHistogram());

    expect(one!.height).toBeGreaterThan(0);
    expect(five!.height).toBeCloseTo(one!.height * 5);
    expect(three!.height).toBeCloseTo(one!.height * 3);
  });

  it('labels the bins with their score ranges', () => {
    const container = renderHistogram();

    const labels = [...container.querySelectorAll('.x-axis text')].map((t) =>
      t.textContent?.trim(),
    );
    expect(labels).toEqual(['0–19', '20–39', '40–59', '60–79', '80–100']);
  });

  it('sums up the total and every bin for screen readers', () => {
    renderHistogram(bins, 'pt-BR');

    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      '11 leads por faixa de pontuação: 0–19: 1, 20–39: 0, 40–59: 5, 60–79: 3 e 80–100: 2.',
    );
    const table = screen.getByRole('table', { name: 'Score distribution' });
    expect(within(table).getAllByRole('row')).toHaveLength(6);
  });

  it('shows the empty state when no lead has a score', () => {
    const container = renderHistogram(bins.map((bin) => ({ ...bin, count: 0 })));

    expect(screen.getByText('No data to show yet.')).toBeTruthy();
    expect(container.querySelector('svg')).toBeNull();
  });
});
