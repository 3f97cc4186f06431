import { builder } from './builder.ts';
import { AppError } from './errors.ts';

/** Every error a client can act on implements this interface. */
export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'An error the caller can act on: its message is meant for people.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, in plain words.' }),
  }),
});

builder.objectType(AppError, {
  name: 'AppError',
  description: 'A generic error the caller can act on.',
  interfaces: [ErrorInterface],
});
