import { describe, expect, it } from 'vitest';
import { en } from './en';
import { translate } from './i18n.svelte';
import { ptBR } from './pt-br';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

describe('message catalogs', () => {
  it('define the same keys in pt-BR and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ptBR).sort());
  });

  it('leave no message empty', () => {
    for (const catalog of [ptBR, en]) {
      for (const [key, message] of Object.entries(catalog)) {
        expect(message.trim(), key).not.toBe('');
      }
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, message] of Object.entries(ptBR)) {
      expect(placeholders(en[key as keyof typeof en]).sort(), key).toEqual(
        placeholders(message).sort(),
      );
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'chart.item', { label: 'Site', value: '3' })).toBe('Site: 3');
    expect(translate('pt-BR', 'chart.item', { label: 'Site' })).toBe('Site: {value}');
  });
});
