import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import type { Locale } from '$lib/i18n/locale';
import KpiCard, { type KpiDelta } from './KpiCard.svelte';

function renderCard(
  props: {
    value?: number | string;
    delta?: KpiDelta;
    secondary?: string;
    loading?: boolean;
    error?: string;
  },
  locale: Locale = 'en',
) {
  render(KpiCard, { props: { i18n: new I18n(locale), label: 'Leads today', ...props } });
  return screen.getByRole('group', { name: 'Leads today' });
}

describe('KpiCard', () => {
  it('shows its label and a number formatted for the language', () => {
    const card = renderCard({ value: 1234 }, 'pt-BR');

    expect(card.querySelector('.value')?.textContent?.trim()).toBe('1.234');
    expect(card.getAttribute('aria-busy')).toBe('false');
  });

  it('shows a preformatted value as given', () => {
    const card = renderCard({ value: 'R$ 15.000,50' });

    expect(card.querySelector('.value')?.textContent?.trim()).toBe('R$ 15.000,50');
  });

  it('shows a rise as good news with its sign and comparison', () => {
    const card = renderCard(
      { value: 40, delta: { value: 0.125, format: 'percent', comparison: 'vs. yesterday' } },
      'pt-BR',
    );

    const delta = card.querySelector('.delta');
    expect(delta?.classList.contains('good')).toBe(true);
    expect(delta?.textContent).toContain('▲');
    expect(delta?.textContent).toContain('+12,5%');
    expect(delta?.textContent).toContain('vs. yesterday');
    expect(screen.getByText('Alta de +12,5%').classList.contains('visually-hidden')).toBe(true);
  });

  it('shows a rise as bad news when lower is better', () => {
    const card = renderCard({
      value: 9,
      delta: { value: 3, format: 'number', goodWhen: 'down' },
    });

    const delta = card.querySelector('.delta');
    expect(delta?.classList.contains('bad')).toBe(true);
    expect(screen.getByText('Up +3')).toBeTruthy();
  });

  it('shows a fall in words', () => {
    const card = renderCard({ value: 9, delta: { value: -2, format: 'number' } });

    expect(card.querySelector('.delta')?.classList.contains('bad')).toBe(true);
    expect(screen.getByText('Down -2')).toBeTruthy();
  });

  it('shows no change as neutral', () => {
    const card = renderCard({ value: 9, delta: { value: 0, format: 'percent' } });

    expect(card.querySelector('.delta')?.classList.contains('neutral')).toBe(true);
    expect(screen.getByText('No change', { selector: '.visually-hidden' })).toBeTruthy();
  });

  it('shows secondary text under the value', () => {
    const card = renderCard({ value: 12, secondary: '3 still processing' });

    expect(card.querySelector('.secondary')?.textContent).toBe('3 still processing');
  });

  it('announces loading and hides any value while loading', () => {
    const card = renderCard({ value: 12, loading: true }, 'pt-BR');

    expect(card.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Carregando…')).toBeTruthy();
    expect(card.textContent).not.toContain('12');
  });

  it('shows the error instead of the value', () => {
    const card = renderCard({ value: 12, error: 'API unreachable' });

    expect(card.querySelector('.error')?.textContent).toContain('Could not load');
    expect(card.querySelector('.error')?.textContent).toContain('API unreachable');
    expect(card.querySelector('.value')).toBeNull();
  });

  it('shows a dash when there is no value yet', () => {
    const card = renderCard({});

    expect(card.querySelector('.value')?.textContent?.trim()).toBe('—');
  });
});
