import { describe, expect, test } from 'vitest';
import { durationFromMinutes, durationMinutes, formatDuration } from './durations';

describe('durations', () => {
  test('shows minutes in the largest unit that keeps them whole', () => {
    expect(durationFromMinutes(4320)).toEqual({ amount: 3, unit: 'days' });
    expect(durationFromMinutes(60)).toEqual({ amount: 1, unit: 'hours' });
    expect(durationFromMinutes(90)).toEqual({ amount: 90, unit: 'minutes' });
    expect(durationFromMinutes(0)).toEqual({ amount: 0, unit: 'minutes' });
  });

  test('turns an amount and unit back into minutes', () => {
    expect(durationMinutes({ amount: 3, unit: 'days' })).toBe(4320);
    expect(durationMinutes({ amount: 1.5, unit: 'hours' })).toBe(90);
    expect(durationMinutes({ amount: 45, unit: 'minutes' })).toBe(45);
  });

  test('gives no minutes for an empty amount or one that is not whole minutes', () => {
    expect(durationMinutes({ amount: null, unit: 'days' })).toBeNull();
    expect(durationMinutes({ amount: 0.5, unit: 'minutes' })).toBeNull();
  });

  test('says a duration in words in the largest whole unit', () => {
    expect(formatDuration(4320, 'pt-BR')).toBe('3 dias');
    expect(formatDuration(1440, 'en')).toBe('1 day');
    expect(formatDuration(90, 'en')).toBe('90 minutes');
  });
});
