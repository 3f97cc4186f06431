import type { CombinedError } from '@urql/core';

/**
 * The codes the API puts in `extensions.code` of errors a client cannot fix by changing its
 * input: access (UNAUTHENTICATED: no valid session; FORBIDDEN: the role may not) and rate limits.
 */
export type ApiErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED';

export function hasErrorCode(error: CombinedError | undefined, code: ApiErrorCode): boolean {
  return (
    error?.graphQLErrors.some((graphQLError) => graphQLError.extensions?.code === code) ?? false
  );
}

/** How long a RATE_LIMITED error asks to wait, in seconds; undefined for any other error. */
export function retryAfterSeconds(error: CombinedError | undefined): number | undefined {
  const limited = error?.graphQLErrors.find(
    (graphQLError) => graphQLError.extensions?.code === 'RATE_LIMITED',
  );
  if (!limited) return undefined;
  const seconds = Number(limited.extensions.retryAfterSeconds);
  // The API always sends it; a proxy's bare 429 would not, and "a moment" is still true then.
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1;
}
