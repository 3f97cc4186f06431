import { describe, expect, it } from 'vitest';
import { pickLocale, preferredLanguageFromHeader, resolveLocale } from './locale';

describe('pickLocale', () => {
  it.each(['pt-BR', 'pt', 'pt-PT', 'PT-br', 'pt_BR'])('chooses pt-BR for %s', (tag) => {
    expect(pickLocale(tag)).toBe('pt-BR');
  });

  it.each(['en', 'en-US', 'es-AR', 'fr', 'ptx'])('chooses English for %s', (tag) => {
    expect(pickLocale(tag)).toBe('en');
  });

  it('falls back to pt-BR when no language is known', () => {
    expect(pickLocale(undefined)).toBe('pt-BR');
    expect(pickLocale('')).toBe('pt-BR');
  });
});

describe('preferredLanguageFromHeader', () => {
  it('returns the language with the highest weight', () => {
    expect(preferredLanguageFromHeader('en;q=0.5, pt-BR;q=0.9, *;q=0.1')).toBe('pt-BR');
  });

  it('keeps header order among equal weights', () => {
    expect(preferredLanguageFromHeader('es-AR, pt-BR')).toBe('es-AR');
  });

  it('ignores the wildcard and refused languages', () => {
    expect(preferredLanguageFromHeader('*, pt;q=0, en-GB;q=0.3')).toBe('en-GB');
    expect(preferredLanguageFromHeader(null)).toBeUndefined();
  });
});

describe('resolveLocale', () => {
  it('prefers the remembered choice over the browser language', () => {
    expect(resolveLocale('en', 'pt-BR')).toEqual({ locale: 'en', remembered: true });
  });

  it('ignores a remembered value that is not a supported locale', () => {
    expect(resolveLocale('de', 'pt-BR')).toEqual({ locale: 'pt-BR', remembered: false });
  });
});
