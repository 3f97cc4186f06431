/** The one page a signed-out visitor may see. */
export const SIGN_IN_PATH = '/sign-in';

const PROBE_ORIGIN = 'http://streamleads.invalid';

/** Where a signed-out visitor is sent: sign-in, remembering the page they asked for. */
export function signInPath(from: URL): string {
  const target = `${from.pathname}${from.search}${from.hash}`;
  if (from.pathname === SIGN_IN_PATH || target === '/') return SIGN_IN_PATH;
  return `${SIGN_IN_PATH}?${new URLSearchParams({ redirectTo: target }).toString()}`;
}

/**
 * The page to open after sign-in, from `?redirectTo=`: a path of this app, or `/`. Anything
 * that would leave the app (`//evil.example`, `/\evil.example`, `https://…`, `javascript:`) is
 * refused, so a crafted sign-in link cannot send someone elsewhere (an open redirect).
 */
export function safeRedirectPath(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  let url: URL;
  try {
    url = new URL(value, PROBE_ORIGIN);
  } catch {
    return '/';
  }
  // The URL parser drops tabs and newlines and reads "\" as "/": the origin check catches what
  // the prefix checks cannot see.
  if (url.origin !== PROBE_ORIGIN || url.pathname === SIGN_IN_PATH) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
