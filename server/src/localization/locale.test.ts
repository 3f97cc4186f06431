import { describe, expect, it } from 'vitest';
import { localize, preferredLocale } from './locale.ts';

describe('preferredLocale', () => {
  it('reads Portuguese from a Brazilian browser and English when nothing is said', () => {
    expect(preferredLocale('pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('pt-BR');
    expect(preferredLocale('pt')).toBe('pt-BR');
    expect(preferredLocale(null)).toBe('en');
    expect(preferredLocale('')).toBe('en');
  });

  it('follows the weights, not the order, and skips languages it does not speak', () => {
    expect(preferredLocale('en;q=0.5, pt-PT;q=0.8')).toBe('pt-BR');
    expect(preferredLocale('de-DE, en-GB;q=0.9, pt;q=0.1')).toBe('en');
    expect(preferredLocale('pt;q=0, en;q=0.1')).toBe('en');
    expect(preferredLocale('fr, de')).toBe('en');
  });
});

describe('localize', () => {
  const text = { message: 'Name is required', translations: { 'pt-BR': 'Informe o nome' } };

  it('words a message in the locale asked for, falling back to English', () => {
    expect(localize(text, 'pt-BR')).toBe('Informe o nome');
    expect(localize(text, 'en')).toBe('Name is required');
    expect(localize({ message: 'Unknown' }, 'pt-BR')).toBe('Unknown');
  });
});
