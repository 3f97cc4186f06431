import { describe, expect, it } from 'vitest';
import { translate } from '$lib/i18n/i18n.svelte';
import { SettingsSave, saveAnswer, type SaveAnswer } from './settings-save.svelte';

interface Saved {
  __typename: 'TestSettings';
  host: string;
}

/** A form with one field the API refused, as the page renders it after a refused save. */
function formWithInvalidField(): { form: HTMLFormElement; invalid: HTMLInputElement } {
  const form = document.createElement('form');
  form.innerHTML = '<input name="ok" /><input name="host" aria-invalid="true" />';
  document.body.append(form);
  return { form, invalid: form.querySelector('[name="host"]')! };
}

function saverAnswering(answer: SaveAnswer<Saved>, form?: HTMLFormElement) {
  const sent: object[] = [];
  const applied: Saved[] = [];
  const saver = new SettingsSave<{ host?: string }, Saved>({
    translate: (key, params) => translate('en', key, params),
    send: async (input) => {
      sent.push(input);
      return answer;
    },
    onSaved: (settings) => applied.push(settings),
    form: () => form,
  });
  return { saver, sent, applied };
}

describe('SettingsSave', () => {
  it('refuses fields the form cannot send without calling the API', async () => {
    const { form, invalid } = formWithInvalidField();
    const { saver, sent } = saverAnswering({ outcome: 'failed', reason: 'unused' }, form);

    await saver.save({ ok: false, errors: { host: 'settings.fixFields' } });

    expect(sent).toEqual([]);
    expect(saver.errors).toEqual({ host: translate('en', 'settings.fixFields') });
    expect(saver.message).toEqual({ kind: 'error', text: translate('en', 'settings.fixFields') });
    expect(document.activeElement).toBe(invalid);
  });

  it('sends nothing when nothing changed', async () => {
    const { saver, sent } = saverAnswering({ outcome: 'failed', reason: 'unused' });
    saver.errors = { host: 'stale' };

    await saver.save({ ok: true, input: {} });

    expect(sent).toEqual([]);
    expect(saver.errors).toEqual({});
    expect(saver.message).toEqual({ kind: 'ok', text: translate('en', 'settings.unchanged') });
  });

  it('takes the saved settings as the new starting point', async () => {
    const settings: Saved = { __typename: 'TestSettings', host: 'smtp.example.com' };
    const { saver, sent, applied } = saverAnswering({ outcome: 'saved', settings });
    saver.errors = { host: 'stale' };

    await saver.save({ ok: true, input: { host: 'smtp.example.com' } });

    expect(sent).toEqual([{ host: 'smtp.example.com' }]);
    expect(applied).toEqual([settings]);
    expect(saver.errors).toEqual({});
    expect(saver.message?.kind).toBe('ok');
    expect(saver.saving).toBe(false);
  });

  it("shows the API's field errors beside their fields, focus on the first", async () => {
    const { form, invalid } = formWithInvalidField();
    const { saver, applied } = saverAnswering(
      {
        outcome: 'invalid',
        fieldErrors: [
          { path: 'host', message: 'Not a host name.' },
          { path: 'host', message: 'Too long.' },
        ],
      },
      form,
    );

    await saver.save({ ok: true, input: { host: 'bad host' } });

    expect(applied).toEqual([]);
    expect(saver.errors).toEqual({ host: 'Not a host name. Too long.' });
    expect(saver.message?.kind).toBe('error');
    expect(document.activeElement).toBe(invalid);
  });

  it('names the reason of any other failure', async () => {
    const { saver } = saverAnswering({ outcome: 'failed', reason: 'Forbidden.' });

    await saver.save({ ok: true, input: { host: 'x' } });

    expect(saver.message).toEqual({
      kind: 'error',
      text: translate('en', 'settings.saveError', { reason: 'Forbidden.' }),
    });
  });
});

describe('saveAnswer', () => {
  type Answer =
    | Saved
    | {
        __typename: 'ValidationError';
        message: string;
        fieldErrors: { path: string; message: string }[];
      }
    | { __typename: 'AppError'; message: string };

  it('reads each kind of union answer', () => {
    const saved: Answer = { __typename: 'TestSettings', host: 'h' };
    expect(saveAnswer<Answer, 'TestSettings'>(saved, 'TestSettings')).toEqual({
      outcome: 'saved',
      settings: saved,
    });

    const invalid: Answer = {
      __typename: 'ValidationError',
      message: 'Invalid.',
      fieldErrors: [{ path: 'host', message: 'Bad.' }],
    };
    expect(saveAnswer<Answer, 'TestSettings'>(invalid, 'TestSettings')).toEqual({
      outcome: 'invalid',
      fieldErrors: invalid.fieldErrors,
    });

    const refused: Answer = { __typename: 'AppError', message: 'Not allowed.' };
    expect(saveAnswer<Answer, 'TestSettings'>(refused, 'TestSettings')).toEqual({
      outcome: 'failed',
      reason: 'Not allowed.',
    });
  });

  it('falls back on the transport error when there is no answer', () => {
    expect(
      saveAnswer<Answer, 'TestSettings'>(undefined, 'TestSettings', { message: 'down' }),
    ).toEqual({ outcome: 'failed', reason: 'down' });
  });
});
