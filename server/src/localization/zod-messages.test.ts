import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrorsOf } from '../errors.ts';
import { bilingual } from './catalog.ts';

// errors.ts installs our wording for checks without a message of their own.
const refusal = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a refusal');
  return fieldErrorsOf(parsed.error.issues);
};

describe('zod refusals as field errors in both languages', () => {
  it('words checks without a message of their own for people, in English and Portuguese', () => {
    const schema = z.object({
      name: z.string().min(1),
      token: z.string().max(500),
      attempts: z.number().int().min(1).max(86_400),
      phones: z.array(z.string()).max(2),
      url: z.url(),
      status: z.enum(['HOT', 'WARM', 'COLD']),
    });
    const errors = refusal(schema, {
      name: '',
      token: 'x'.repeat(501),
      attempts: 100_000,
      phones: ['1', '2', '3'],
      url: 'not a url',
      status: 'LUKEWARM',
    });
    expect(errors).toEqual([
      {
        path: 'name',
        message: 'Must not be empty',
        translations: { 'pt-BR': 'Não pode ficar vazio' },
      },
      {
        path: 'token',
        message: 'At most 500 characters',
        translations: { 'pt-BR': 'No máximo 500 caracteres' },
      },
      {
        path: 'attempts',
        message: 'At most 86,400',
        translations: { 'pt-BR': 'No máximo 86.400' },
      },
      {
        path: 'phones',
        message: 'At most 2 items',
        translations: { 'pt-BR': 'No máximo 2 itens' },
      },
      { path: 'url', message: 'Not a valid URL', translations: { 'pt-BR': 'URL inválida' } },
      {
        path: 'status',
        message: 'Must be one of HOT, WARM, COLD',
        translations: { 'pt-BR': 'Deve ser um destes: HOT, WARM, COLD' },
      },
    ]);
  });

  it("takes a message of the check's own from the catalog, and keeps an unrecorded one English", () => {
    const schema = z.object({
      minutes: z.number().min(1, bilingual('At least 1 minute', 'Pelo menos 1 minuto')),
      digits: z.string().regex(/^\d+$/, 'Zod test: digits, never recorded'),
    });
    expect(refusal(schema, { minutes: 0, digits: 'abc' })).toEqual([
      {
        path: 'minutes',
        message: 'At least 1 minute',
        translations: { 'pt-BR': 'Pelo menos 1 minuto' },
      },
      { path: 'digits', message: 'Zod test: digits, never recorded' },
    ]);
  });

  it('keeps the first message of each path only', () => {
    const schema = z.object({ code: z.string().min(3).regex(/^\d+$/) });
    expect(refusal(schema, { code: 'a' })).toEqual([
      {
        path: 'code',
        message: 'At least 3 characters',
        translations: { 'pt-BR': 'Pelo menos 3 caracteres' },
      },
    ]);
  });
});
