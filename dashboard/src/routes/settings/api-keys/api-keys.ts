import type { ApiKeyScope, CreateApiKeyInput } from '$lib/graphql/generated/graphql';
import type { MessageKey } from '$lib/i18n/pt-br';

/** Every scope, from the narrowest to the widest, with what the form says about each. */
export const API_KEY_SCOPES: readonly {
  scope: ApiKeyScope;
  label: MessageKey;
  explanation: MessageKey;
}[] = [
  {
    scope: 'LEADS_CREATE',
    label: 'apiKeys.scope.LEADS_CREATE',
    explanation: 'apiKeys.scope.LEADS_CREATE.explanation',
  },
  {
    scope: 'LEADS_READ',
    label: 'apiKeys.scope.LEADS_READ',
    explanation: 'apiKeys.scope.LEADS_READ.explanation',
  },
  {
    scope: 'LEADS_WRITE',
    label: 'apiKeys.scope.LEADS_WRITE',
    explanation: 'apiKeys.scope.LEADS_WRITE.explanation',
  },
  { scope: 'ADMIN', label: 'apiKeys.scope.ADMIN', explanation: 'apiKeys.scope.ADMIN.explanation' },
];

export const SCOPE_LABELS = Object.fromEntries(
  API_KEY_SCOPES.map(({ scope, label }) => [scope, label]),
) as Record<ApiKeyScope, MessageKey>;

/** The new-key form as typed: origins as one text, one per line. */
export interface NewApiKeyDraft {
  name: string;
  scopes: ApiKeyScope[];
  origins: string;
}

export function emptyNewApiKey(): NewApiKeyDraft {
  return { name: '', scopes: [], origins: '' };
}

/** The origins typed one per line (commas and spaces also separate them), blanks dropped. */
export function parseOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((origin) => origin.trim())
    .filter(Boolean);
}

export function newApiKeyInput(draft: NewApiKeyDraft): CreateApiKeyInput {
  // Sent in the order the form lists them, whatever order they were ticked in.
  const scopes = API_KEY_SCOPES.map(({ scope }) => scope).filter((scope) =>
    draft.scopes.includes(scope),
  );
  return { name: draft.name.trim(), scopes, allowedOrigins: parseOrigins(draft.origins) };
}

/**
 * Where the API's messages for createApiKey go. An origin's message comes at path
 * `allowedOrigins.<index>`: it is shown under the origins field, naming the origin it is about.
 */
export function newApiKeyErrors(
  fieldErrors: readonly { path: string; message: string }[],
  origins: readonly string[],
): Record<string, string> {
  const errors: Record<string, string[]> = {};
  for (const { path, message } of fieldErrors) {
    const [field = '', index] = path.split('.');
    const known = field === 'name' || field === 'scopes' || field === 'allowedOrigins';
    const origin = field === 'allowedOrigins' && index !== undefined ? origins[Number(index)] : '';
    (errors[known ? field : ''] ??= []).push(origin ? `${origin}: ${message}` : message);
  }
  return Object.fromEntries(
    Object.entries(errors).map(([field, messages]) => [field, messages.join(' ')]),
  );
}
