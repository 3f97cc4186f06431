import { describe, expect, test } from 'vitest';
import { attachmentFileName, emailTemplateName } from './lead-emails';
import { leadExportFileName, leadExportJson } from './lead-privacy';

describe('lead privacy and emails', () => {
  test('names the export after the lead and the day it was taken', () => {
    expect(
      leadExportFileName('0f8e4b6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', new Date('2026-03-05T23:59:00Z')),
    ).toBe('lead-0f8e4b6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b-2026-03-05.json');
  });

  test('writes the export as indented JSON', () => {
    expect(leadExportJson({ formatVersion: 1, lead: { name: 'Ana' } })).toBe(
      '{\n  "formatVersion": 1,\n  "lead": {\n    "name": "Ana"\n  }\n}\n',
    );
  });

  test('puts template keys in words and keeps unknown ones', () => {
    expect(emailTemplateName('nurture')).toEqual({ key: 'lead.emails.template.nurture' });
    expect(emailTemplateName('sequence-2')).toEqual({
      key: 'lead.emails.template.sequence',
      params: { step: 2 },
    });
    expect(emailTemplateName('black-friday')).toEqual({ text: 'black-friday' });
  });

  test('saves an attachment under its own name, or one made from the email id', () => {
    expect(attachmentFileName('guia.pdf', 'e1')).toBe('guia.pdf');
    expect(attachmentFileName(null, 'e1')).toBe('email-e1.pdf');
    expect(attachmentFileName('  ', 'e1')).toBe('email-e1.pdf');
  });
});
