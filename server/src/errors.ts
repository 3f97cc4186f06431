import type { z } from 'zod';
import { localize, type Locale, type Translations } from './localization/locale.ts';

/**
 * Base of every error a client can act on. Only AppError subclasses reach clients as typed
 * results; anything else is masked by yoga, so driver messages never leak.
 */
export class AppError extends Error {
  override name = 'AppError';
}

/**
 * One message for one input field, meant to be shown beside it. `path` is the input field's name
 * (dotted for nested fields), or `''` for the input as a whole.
 */
export interface FieldError {
  path: string;
  /** In English; `translations` words it for people who read another language. */
  message: string;
  translations?: Translations;
}

/** Input that cannot be accepted, with one message per offending field. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  readonly fieldErrors: FieldError[];

  constructor(fieldErrors: FieldError[]) {
    super(validationSummary(fieldErrors, 'en'));
    this.fieldErrors = fieldErrors;
  }
}

/**
 * Every field's message in one line, in `locale`: ValidationError's `message`, for clients (n8n,
 * scripts) that read only that.
 */
export function validationSummary(fieldErrors: readonly FieldError[], locale: Locale): string {
  return fieldErrors
    .map((error) => (error.path === '' ? '' : `${error.path}: `) + localize(error, locale))
    .join('; ');
}

/**
 * A zod refusal as FieldErrors, as ValidationError promises them: dotted paths, the first message
 * of each path only, and issues about the input as a whole under `fallbackPath`.
 */
export function fieldErrorsOf(
  issues: readonly z.core.$ZodIssue[],
  fallbackPath = '',
): FieldError[] {
  const byPath = new Map<string, string>();
  for (const issue of issues) {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackPath;
    if (!byPath.has(path)) byPath.set(path, issue.message);
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}
