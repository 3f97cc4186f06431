import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { I18n } from '../i18n/i18n.svelte';
import SessionPending from './SessionPending.svelte';

describe('SessionPending', () => {
  it('shows the brand and a loading word, and nothing of the app', () => {
    render(SessionPending, {
      props: { i18n: new I18n('pt-BR'), sessionState: { status: 'unknown' } },
    });

    expect(screen.getByRole('main').textContent).toContain('StreamLeads');
    expect(screen.getByRole('status').textContent).toContain('Carregando…');
    expect(screen.queryByRole('navigation')).toBeNull();
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('says the API is unreachable while the session cannot be checked', () => {
    render(SessionPending, {
      props: {
        i18n: new I18n('en'),
        sessionState: { status: 'unreachable', reason: '[Network] Failed to fetch' },
      },
    });

    expect(screen.getByRole('status').textContent).toContain('API unreachable — trying again…');
    expect(screen.getByRole('main').getAttribute('aria-busy')).toBe('false');
  });
});
