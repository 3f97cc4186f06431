import { describe, expect, test } from 'vitest';
import { secretInput } from './secret-change';

describe('secret changes', () => {
  test('leaves a kept secret out of the input', () => {
    expect(secretInput({ mode: 'keep' })).toBeUndefined();
  });

  test('sends a replacement, trimmed', () => {
    expect(secretInput({ mode: 'replace', value: ' https://hooks.slack.com/x ' })).toBe(
      'https://hooks.slack.com/x',
    );
  });

  test('keeps the secret when the replacement is left blank', () => {
    expect(secretInput({ mode: 'replace', value: '  ' })).toBeUndefined();
  });

  test('sends null to clear it', () => {
    expect(secretInput({ mode: 'clear' })).toBeNull();
  });
});
