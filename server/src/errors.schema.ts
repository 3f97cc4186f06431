import { builder } from './builder.ts';
import { AppError, ValidationError, validationSummary, type FieldError } from './errors.ts';
import { localize } from './localization/locale.ts';

/** Every error a client can act on implements this interface. */
export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'An error the caller can act on: its message is meant for people.',
  fields: (t) => ({
    message: t.string({
      description:
        "What went wrong, in plain words, in the language of the request's Accept-Language (Portuguese or English; English when it names neither).",
      resolve: (error, _args, ctx) => localize(error, ctx.locale),
    }),
  }),
});

builder.objectType(AppError, {
  name: 'AppError',
  description: 'A generic error the caller can act on.',
  interfaces: [ErrorInterface],
});

export const FieldErrorType = builder.objectRef<FieldError>('FieldError').implement({
  description: 'What is wrong with one input field, worded to be shown next to that field.',
  fields: (t) => ({
    path: t.exposeString('path', {
      description:
        'The input field\'s name, e.g. "email" (dotted for nested fields); "" when the message is about the input as a whole.',
    }),
    message: t.string({
      description:
        'What to fix, e.g. "Email is required", in the language of the request\'s Accept-Language (Portuguese or English; English when it names neither).',
      resolve: (error, _args, ctx) => localize(error, ctx.locale),
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description:
    'The input was refused and nothing was changed. `fieldErrors` holds one message per offending field; `message` lists them all in one line.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    message: t.string({
      description:
        'Every field\'s message in one line, "path: message; …", in the language of the request\'s Accept-Language.',
      resolve: (error, _args, ctx) => validationSummary(error.fieldErrors, ctx.locale),
    }),
    fieldErrors: t.expose('fieldErrors', {
      type: [FieldErrorType],
      description: 'One entry per offending field, at most one per path.',
    }),
  }),
});
