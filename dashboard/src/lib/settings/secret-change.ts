/**
 * What the admin wants done with a write-only secret (a webhook URL, a token, a password). The
 * API never returns a secret, only whether one is set, so a form cannot show the current value:
 * it can keep it, replace it or clear it.
 */
export type SecretChange =
  { mode: 'keep' } | { mode: 'replace'; value: string } | { mode: 'clear' };

export const keepSecret = (): SecretChange => ({ mode: 'keep' });

/**
 * The input field for a change: left out to keep the secret, null to clear it, the new value to
 * replace it. A replacement left blank keeps the secret: nobody means "set it to nothing" by
 * typing nothing, and clearing has its own button.
 */
export function secretInput(change: SecretChange): string | null | undefined {
  if (change.mode === 'clear') return null;
  if (change.mode === 'replace' && change.value.trim() !== '') return change.value.trim();
  return undefined;
}
