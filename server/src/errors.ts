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
  message: string;
}

/** Input that cannot be accepted, with one message per offending field. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  readonly fieldErrors: FieldError[];

  constructor(fieldErrors: FieldError[]) {
    // The summary repeats every field's message, for clients (n8n, scripts) that read only it.
    super(
      fieldErrors
        .map(({ path, message }) => (path === '' ? message : `${path}: ${message}`))
        .join('; '),
    );
    this.fieldErrors = fieldErrors;
  }
}
