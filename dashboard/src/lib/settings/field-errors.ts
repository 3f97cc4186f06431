/** A message per field path, as the API's `fieldErrors` or a `RuleSetValidationError` list them. */
export type FieldErrors = Record<string, string>;

/**
 * The message for a field and everything under it: "whatsappRecipients" also shows the error of
 * "whatsappRecipients.2", numbered from 1 the way people count list items.
 */
export function errorUnder(
  errors: FieldErrors,
  path: string,
  item: (position: number) => string,
): string | undefined {
  const messages: string[] = [];
  for (const [errorPath, message] of Object.entries(errors)) {
    if (errorPath === path) messages.push(message);
    else if (errorPath.startsWith(`${path}.`)) {
      const index = Number(errorPath.slice(path.length + 1).split('.')[0]);
      messages.push(Number.isInteger(index) ? `${item(index + 1)}: ${message}` : message);
    }
  }
  return messages.length > 0 ? messages.join(' ') : undefined;
}

/**
 * A field's `aria-describedby`: the ids of the elements that describe it (its hint, its error)
 * that are shown, or undefined when none is.
 */
export function describedByIds(...ids: (string | false | null | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

/** A whole number from a number field, or undefined when it is empty or not whole. */
export function wholeNumber(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The non-blank lines of a text area, trimmed: one list item per line. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
