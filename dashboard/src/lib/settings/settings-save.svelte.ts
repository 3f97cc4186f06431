import { tick } from 'svelte';
import { fieldErrorMap } from '$lib/graphql/field-errors';
import type { MessageKey } from '$lib/i18n/pt-br';
import type { MessageParams } from '$lib/i18n/i18n.svelte';

/** The line beside a settings form's Save button. */
export interface SaveMessage {
  kind: 'ok' | 'error';
  text: string;
}

/** What a form builds from its fields: the changes to send, or fields it cannot send at all. */
export type FormInput<Input> =
  { ok: true; input: Input } | { ok: false; errors: Record<string, MessageKey> };

/** A settings mutation's answer, reduced to what the form does next. */
export type SaveAnswer<Settings> =
  | { outcome: 'saved'; settings: Settings }
  | { outcome: 'invalid'; fieldErrors: readonly { path: string; message: string }[] }
  | { outcome: 'failed'; reason: string };

interface MutationAnswer {
  __typename: string;
  message?: string;
  fieldErrors?: readonly { path: string; message: string }[];
}

/**
 * Reads a settings mutation's union answer: the settings type when it saved, `ValidationError`
 * with field errors, any other error type (or a transport error) as a failure with its message.
 */
export function saveAnswer<Answer extends MutationAnswer, Typename extends Answer['__typename']>(
  answer: Answer | null | undefined,
  settingsTypename: Typename,
  transportError?: { message: string },
): SaveAnswer<Extract<Answer, { __typename: Typename }>> {
  if (answer?.__typename === settingsTypename) {
    return { outcome: 'saved', settings: answer as Extract<Answer, { __typename: Typename }> };
  }
  if (answer?.__typename === 'ValidationError' && answer.fieldErrors) {
    return { outcome: 'invalid', fieldErrors: answer.fieldErrors };
  }
  return { outcome: 'failed', reason: answer?.message ?? transportError?.message ?? '' };
}

interface SettingsSaveOptions<Input, Settings> {
  translate: (key: MessageKey, params?: MessageParams) => string;
  send: (input: Input) => Promise<SaveAnswer<Settings>>;
  /** Takes the settings as saved as the form's new starting point. */
  onSaved: (settings: Settings) => void;
  /** The form whose first invalid field takes the focus after a refused save. */
  form: () => HTMLFormElement | undefined;
}

/**
 * The save flow every settings page shares: refuse fields the form cannot send, say so when
 * nothing changed (no empty mutation, no audit entry), send only the changes, and show the API's
 * field errors beside their fields with the focus on the first one.
 */
export class SettingsSave<Input extends object, Settings> {
  errors = $state<Record<string, string>>({});
  saving = $state(false);
  message = $state<SaveMessage | undefined>();

  readonly #options: SettingsSaveOptions<Input, Settings>;

  constructor(options: SettingsSaveOptions<Input, Settings>) {
    this.#options = options;
  }

  async save(formInput: FormInput<Input>): Promise<void> {
    const { translate } = this.#options;
    this.message = undefined;
    if (!formInput.ok) {
      const errors = Object.entries(formInput.errors).map(([path, key]) => [path, translate(key)]);
      return this.#refuse(Object.fromEntries(errors));
    }
    if (Object.keys(formInput.input).length === 0) {
      this.errors = {};
      this.message = { kind: 'ok', text: translate('settings.unchanged') };
      return;
    }
    this.saving = true;
    try {
      const answer = await this.#options.send(formInput.input);
      if (answer.outcome === 'saved') {
        this.errors = {};
        this.#options.onSaved(answer.settings);
        this.message = { kind: 'ok', text: translate('settings.saved') };
      } else if (answer.outcome === 'invalid') {
        await this.#refuse(fieldErrorMap(answer.fieldErrors));
      } else {
        this.message = {
          kind: 'error',
          text: translate('settings.saveError', { reason: answer.reason }),
        };
      }
    } finally {
      this.saving = false;
    }
  }

  /** Forgets the last save's errors and message (the form was put back as saved). */
  clear(): void {
    this.errors = {};
    this.message = undefined;
  }

  async #refuse(errors: Record<string, string>): Promise<void> {
    this.errors = errors;
    this.message = { kind: 'error', text: this.#options.translate('settings.fixFields') };
    await tick();
    this.#options.form()?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }
}
