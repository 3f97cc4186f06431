/**
 * Whether what a person typed repeats the text a dangerous action asks for (an email, a name).
 * Case and surrounding spaces do not count: emails are case-insensitive, and a trailing space
 * from a paste would only frustrate.
 */
export function confirmationMatches(typed: string, required: string): boolean {
  const expected = required.trim().toLowerCase();
  return expected !== '' && typed.trim().toLowerCase() === expected;
}
