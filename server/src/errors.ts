import type { z } from 'zod';
import { translationsOf } from './localization/catalog.ts';
import { localize, type Locale, type Translations } from './localization/locale.ts';
import { defaultIssueTranslations, useOurZodWording } from './localization/zod-messages.ts';

// Every module that refuses input imports this one, so zod words its own refusals our way from
// the first parse on.
useOurZodWording();

/**
 * Base of every error a client can act on. Only AppError subclasses reach clients as typed
 * results; anything else is masked by yoga, so driver messages never leak. `message` is English;
 * `translations` words it for the dashboard's Portuguese readers.
 */
export class AppError extends Error {
  override name = 'AppError';

  constructor(
    message: string,
    readonly translations?: Translations,
  ) {
    super(message);
  }
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

  /** Field errors without translations get the catalog's, when their message is in it. */
  constructor(fieldErrors: FieldError[]) {
    super(validationSummary(fieldErrors, 'en'));
    this.fieldErrors = fieldErrors.map((error) => {
      if (error.translations) return error;
      const translations = translationsOf(error.message);
      return translations ? { ...error, translations } : error;
    });
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
 * of each path only, and issues about the input as a whole under `fallbackPath`. Messages come
 * with their translations: from the catalog (messages written with `bilingual`) or, for checks
 * without a message of their own, from zod-messages.ts.
 */
export function fieldErrorsOf(
  issues: readonly z.core.$ZodIssue[],
  fallbackPath = '',
): FieldError[] {
  const byPath = new Map<string, FieldError>();
  for (const issue of issues) {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackPath;
    if (byPath.has(path)) continue;
    const translations = translationsOf(issue.message) ?? defaultIssueTranslations(issue);
    byPath.set(path, { path, message: issue.message, ...(translations && { translations }) });
  }
  return [...byPath.values()];
}
