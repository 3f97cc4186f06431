import { describe, expect, it } from 'vitest';
import { PendingConfirmation } from './pending-confirmation.svelte';

describe('PendingConfirmation', () => {
  it('opens about a subject and forgets the previous refusal', () => {
    const pending = new PendingConfirmation<{ name: string }>();
    expect(pending).toMatchObject({ subject: undefined, open: false, error: undefined });
    pending.ask({ name: 'Site' });
    pending.error = 'Nenhum formulário web tem este id';
    pending.open = false;
    pending.ask({ name: 'Landing' });
    expect(pending).toMatchObject({ subject: { name: 'Landing' }, open: true, error: undefined });
  });
});
