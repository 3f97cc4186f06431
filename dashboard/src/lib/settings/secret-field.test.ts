import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import SecretField from './SecretField.svelte';
import type { SecretChange } from './secret-change';

function renderField(configured: boolean, change: SecretChange = { mode: 'keep' }) {
  return render(SecretField, {
    props: {
      i18n: new I18n('en'),
      id: 'slack',
      label: 'Slack webhook URL',
      configured,
      change,
    },
  });
}

describe('SecretField', () => {
  it('shows a set secret only as configured, never its value', () => {
    const { container } = renderField(true);

    expect(container.querySelector('[data-secret-status]')?.textContent?.trim()).toBe('Configured');
    expect(container.querySelector('input')).toBeNull();
    expect(screen.getByRole('group', { name: 'Slack webhook URL' })).toBeTruthy();
  });

  it('offers a password field to replace the secret, and keeping it again', async () => {
    const { container } = renderField(true);

    await fireEvent.click(screen.getByRole('button', { name: 'Replace' }));
    const input = screen.getByLabelText('Slack webhook URL') as HTMLInputElement;
    expect(input.type).toBe('password');
    expect(input.value).toBe('');

    await fireEvent.click(screen.getByRole('button', { name: 'Keep the current one' }));
    expect(container.querySelector('input')).toBeNull();
  });

  it('marks the secret for removal until undone', async () => {
    renderField(true);

    await fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    expect(screen.getByRole('status').textContent).toBe('Will be removed on save.');

    await fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(screen.getByRole('button', { name: 'Replace' })).toBeTruthy();
  });

  it('asks for a secret that is not set yet, with its error beside it', () => {
    render(SecretField, {
      props: {
        i18n: new I18n('pt-BR'),
        id: 'token',
        label: 'Token de acesso',
        configured: false,
        change: { mode: 'keep' },
        error: 'At most 4,000 characters',
      },
    });

    const input = screen.getByLabelText('Token de acesso');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe('token-error');
    expect(screen.getByText('Não configurado')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });
});
