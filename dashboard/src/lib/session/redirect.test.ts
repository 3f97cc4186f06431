import { describe, expect, it } from 'vitest';
import { safeRedirectPath, signInPath } from './redirect';

describe('signInPath', () => {
  it('remembers the page, its query and its fragment', () => {
    const path = signInPath(new URL('http://app.test/leads/42?tab=runs#notes'));
    expect(path).toBe('/sign-in?redirectTo=%2Fleads%2F42%3Ftab%3Druns%23notes');
    const redirectTo = new URL(path, 'http://app.test').searchParams.get('redirectTo');
    expect(safeRedirectPath(redirectTo)).toBe('/leads/42?tab=runs#notes');
  });

  it('adds nothing for the home page or sign-in itself', () => {
    expect(signInPath(new URL('http://app.test/'))).toBe('/sign-in');
    expect(signInPath(new URL('http://app.test/sign-in?redirectTo=%2Fleads'))).toBe('/sign-in');
  });
});

describe('safeRedirectPath', () => {
  it('keeps a path of the app', () => {
    expect(safeRedirectPath('/leads?q=ana&origin=SITE')).toBe('/leads?q=ana&origin=SITE');
    expect(safeRedirectPath('/')).toBe('/');
  });

  it('falls back to the home page without a target', () => {
    expect(safeRedirectPath(null)).toBe('/');
    expect(safeRedirectPath(undefined)).toBe('/');
    expect(safeRedirectPath('')).toBe('/');
  });

  it('refuses targets on another site', () => {
    for (const target of [
      'https://evil.example/leads',
      '//evil.example/leads',
      '/\\evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'leads',
    ]) {
      expect(safeRedirectPath(target), target).toBe('/');
    }
  });

  it('never returns to sign-in', () => {
    expect(safeRedirectPath('/sign-in?redirectTo=%2Fleads')).toBe('/');
  });
});
