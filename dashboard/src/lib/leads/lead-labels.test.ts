import { describe, expect, it } from 'vitest';
import { translate } from '$lib/i18n/i18n.svelte';
import type { MessageKey } from '$lib/i18n/pt-br';
import { runActionName } from './lead-labels';

describe('runActionName', () => {
  const portuguese = (key: MessageKey) => translate('pt-BR', key);
  const english = (key: MessageKey) => translate('en', key);

  it('names planned actions and the runs they start in the reader’s language', () => {
    expect(runActionName(portuguese, 'notify-slack')).toBe('Avisar no Slack');
    expect(runActionName(english, 'notify-slack')).toBe('Notify on Slack');
    expect(runActionName(portuguese, 'follow-up-due')).toBe('Lembrete de follow-up');
    expect(runActionName(english, 'notify-stage-change')).toBe('Stage change to n8n');
  });

  it('shows an action it does not know as the API names it', () => {
    expect(runActionName(portuguese, 'notify-teams')).toBe('notify-teams');
    expect(runActionName(portuguese, 'constructor')).toBe('constructor');
  });
});
