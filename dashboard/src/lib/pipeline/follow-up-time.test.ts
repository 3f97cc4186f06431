import { describe, expect, it } from 'vitest';
import { fromFollowUpInput, toFollowUpInput } from './follow-up-time';

describe('follow-up times in São Paulo', () => {
  it('shows an instant as São Paulo wall-clock time', () => {
    expect(toFollowUpInput('2026-05-01T12:30:00.000Z')).toBe('2026-05-01T09:30');
    expect(toFollowUpInput('2026-01-01T01:15:00.000Z')).toBe('2025-12-31T22:15');
    expect(toFollowUpInput(null)).toBe('');
  });

  it('reads a picked time as São Paulo time, whatever the browser zone', () => {
    expect(fromFollowUpInput('2026-05-01T09:30')).toBe('2026-05-01T12:30:00.000Z');
    expect(fromFollowUpInput('2025-12-31T22:15')).toBe('2026-01-01T01:15:00.000Z');
  });

  it('reads times from before 2019 with the daylight saving time then in force', () => {
    // 15 January 2018 was summer time in São Paulo: UTC−2.
    expect(fromFollowUpInput('2018-01-15T10:00')).toBe('2018-01-15T12:00:00.000Z');
  });

  it('refuses what is not a date and time', () => {
    expect(fromFollowUpInput('')).toBeNull();
    expect(fromFollowUpInput('amanhã')).toBeNull();
  });
});
