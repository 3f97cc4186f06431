import { describe, expect, test } from 'vitest';
import { en } from '$lib/i18n/en';
import type { MessageKey } from '$lib/i18n/pt-br';
import { draftErrors, templateKeys, templateName } from './email-templates';

describe('email templates', () => {
  test('lists the nurture email first, then the steps by number, then other keys', () => {
    const keys = ['sequence-10', 'welcome', 'sequence-2', 'nurture', 'sequence-1', 'nurture'];
    expect(templateKeys(keys.map((key) => ({ key })))).toEqual([
      'nurture',
      'sequence-1',
      'sequence-2',
      'sequence-10',
      'welcome',
    ]);
  });

  test('names the known templates for people and shows other keys as they are', () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) =>
      en[key].replace('{position}', String(params?.position));
    expect(templateName('nurture', t)).toBe('Nurture email');
    expect(templateName('sequence-2', t)).toBe('Sequence: email 2');
    expect(templateName('welcome', t)).toBe('welcome');
  });

  test('puts the preview’s and the save’s errors on the part they are about', () => {
    expect(
      draftErrors([
        { path: 'draft.html', message: 'Unknown variable {{nome}}' },
        { path: 'text', message: 'Include the unsubscribe link' },
        { path: 'key', message: 'Lower-case letters' },
      ]),
    ).toEqual({
      html: 'Unknown variable {{nome}}',
      text: 'Include the unsubscribe link',
      '': 'Lower-case letters',
    });
  });
});
