import { describe, expect, it } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import { formatDuration } from './durations';

describe('formatDuration', () => {
  it('uses the largest sensible unit with one decimal at most', () => {
    const i18n = new I18n('pt-BR');
    const format = (seconds: number) => formatDuration(seconds, i18n.t, i18n.format.number);
    expect(format(42.4)).toBe('42 s');
    expect(format(720)).toBe('12 min');
    expect(format(12_600)).toBe('3,5 h');
    expect(format(172_800)).toBe('2 d');
  });
});
