import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions } from 'playwright-core';
import { SESSION_COOKIE, type ApiAccess } from './api';

/** Where screenshots go (git-ignored, kept by CI as artifacts). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../test-results/', import.meta.url));

/** Debian's Chromium, never a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context's starting state holding a session, as if its person had signed in: the
 * API's host-only cookie, which the browser sends to the API and, on the same host, to the
 * dashboard too (cookies ignore ports).
 */
export function signedIn({ url, sessionToken }: ApiAccess): BrowserContextOptions['storageState'] {
  return {
    cookies: [
      {
        name: SESSION_COOKIE,
        value: sessionToken,
        domain: new URL(url).hostname,
        path: '/',
        expires: -1,
        httpOnly: true,
        secure: false,
        sameSite: 'Strict',
      },
    ],
    origins: [],
  };
}
