import type { MessageKey } from '$lib/i18n/pt-br';

/** The change-password form as typed. */
export interface PasswordDraft {
  currentPassword: string;
  newPassword: string;
  confirmation: string;
}

export function emptyPasswordDraft(): PasswordDraft {
  return { currentPassword: '', newPassword: '', confirmation: '' };
}

/**
 * What the form can tell before asking the API, by field. The API checks the length and the
 * current password (one source of truth for the rules); a mistyped repetition is only the
 * form's business.
 */
export function localPasswordErrors(
  draft: PasswordDraft,
): Partial<Record<keyof PasswordDraft, MessageKey>> {
  const errors: Partial<Record<keyof PasswordDraft, MessageKey>> = {};
  if (draft.currentPassword === '') errors.currentPassword = 'password.error.currentRequired';
  if (draft.newPassword === '') errors.newPassword = 'password.error.newRequired';
  else if (draft.newPassword === draft.currentPassword) errors.newPassword = 'password.error.same';
  if (draft.confirmation !== draft.newPassword) errors.confirmation = 'password.error.mismatch';
  return errors;
}

/** The API's answer to changePassword, as the form shows it. */
export type PasswordOutcome =
  | { kind: 'changed'; endedSessions: number }
  | { kind: 'wrong-current' }
  | { kind: 'invalid'; fieldErrors: Record<string, string> }
  | { kind: 'failed'; reason: string };

type ChangePasswordAnswer =
  | { __typename: 'ChangePasswordPayload'; endedSessions: number }
  | { __typename: 'InvalidCredentialsError'; message: string }
  | {
      __typename: 'ValidationError';
      message: string;
      fieldErrors: { path: string; message: string }[];
    }
  | { __typename: 'AppError'; message: string };

export function passwordOutcome(
  answer: ChangePasswordAnswer | undefined,
  networkError?: string,
): PasswordOutcome {
  switch (answer?.__typename) {
    case 'ChangePasswordPayload':
      return { kind: 'changed', endedSessions: answer.endedSessions };
    case 'InvalidCredentialsError':
      return { kind: 'wrong-current' };
    case 'ValidationError': {
      const fieldErrors: Record<string, string> = {};
      // The API names the new password "newPassword" (and uses it for a message about the
      // input as a whole too); the form shows both under that field.
      for (const { path, message } of answer.fieldErrors) {
        const field = path === 'currentPassword' ? 'currentPassword' : 'newPassword';
        fieldErrors[field] = fieldErrors[field] ? `${fieldErrors[field]} ${message}` : message;
      }
      return { kind: 'invalid', fieldErrors };
    }
    case 'AppError':
      return { kind: 'failed', reason: answer.message };
    default:
      return { kind: 'failed', reason: networkError ?? '' };
  }
}
