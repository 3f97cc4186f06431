/**
 * Base of every error a client can act on. Only AppError subclasses reach clients as typed
 * results; anything else is masked by yoga, so driver messages never leak.
 */
export class AppError extends Error {
  override name = 'AppError';
}
