import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet, flushSync, type ComponentProps } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import ConfirmDialog from './ConfirmDialog.svelte';
import { confirmationMatches } from './confirmation';

const body = createRawSnippet(() => ({ render: () => '<p>Nome, e-mail e telefone somem.</p>' }));

// jsdom has <dialog> but not its modal methods; these behave as a browser's do for the test.
beforeEach(() => {
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
});

function renderDialog(props: Partial<ComponentProps<typeof ConfirmDialog>> = {}) {
  return render(ConfirmDialog, {
    props: {
      open: true,
      title: 'Apagar os dados pessoais?',
      confirmLabel: 'Apagar',
      busyLabel: 'Apagando…',
      cancelLabel: 'Cancelar',
      onConfirm: () => true,
      children: body,
      ...props,
    },
  });
}

const dialog = () => document.querySelector('dialog') as HTMLDialogElement;

describe('confirmationMatches', () => {
  it('accepts the text whatever its case and surrounding spaces', () => {
    expect(confirmationMatches(' Ana@Example.com ', 'ana@example.com')).toBe(true);
    expect(confirmationMatches('ana@example.co', 'ana@example.com')).toBe(false);
    expect(confirmationMatches('', '')).toBe(false);
  });
});

describe('ConfirmDialog', () => {
  it('opens as a modal named by its title', () => {
    renderDialog();
    flushSync();
    expect(dialog().open).toBe(true);
    expect(screen.getByRole('dialog', { name: 'Apagar os dados pessoais?' })).toBeTruthy();
    expect(dialog().textContent).toContain('Nome, e-mail e telefone somem.');
  });

  it('keeps the confirm button off until the required text is typed', async () => {
    const onConfirm = vi.fn(() => true);
    renderDialog({
      requiredText: 'ana@example.com',
      requiredTextLabel: 'Digite o e-mail',
      onConfirm,
    });
    flushSync();
    const confirm = screen.getByRole('button', { name: 'Apagar' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);

    await fireEvent.input(screen.getByLabelText('Digite o e-mail'), {
      target: { value: 'ana@example' },
    });
    expect(confirm.disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('Digite o e-mail'), {
      target: { value: 'ANA@example.com' },
    });
    expect(confirm.disabled).toBe(false);

    await fireEvent.click(confirm);
    await vi.waitFor(() => expect(onConfirm).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(dialog().open).toBe(false));
  });

  it('stays open with the error when the work fails', async () => {
    let finish: (done: boolean) => void = () => {};
    const onConfirm = vi.fn(() => new Promise<boolean>((resolve) => (finish = resolve)));
    const { rerender } = renderDialog({ onConfirm });
    flushSync();

    await fireEvent.click(screen.getByRole('button', { name: 'Apagar' }));
    const busy = screen.getByRole('button', { name: 'Apagando…' }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Cancelar' }) as HTMLButtonElement).disabled).toBe(
      true,
    );

    finish(false);
    await rerender({ error: 'Lead não encontrado' });
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Lead não encontrado'),
    );
    expect(dialog().open).toBe(true);
    expect((screen.getByRole('button', { name: 'Apagar' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it('closes without doing anything on cancel', async () => {
    const onConfirm = vi.fn(() => true);
    renderDialog({ onConfirm });
    flushSync();

    await fireEvent.click(screen.getByRole('button', { name: 'Cancelar' }));
    expect(dialog().open).toBe(false);
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
