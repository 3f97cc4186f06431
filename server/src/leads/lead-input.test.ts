import { describe, expect, it } from 'vitest';
import {
  createLeadInputSchema,
  normaliseEmail,
  normaliseIncome,
  normaliseName,
  normalisePhone,
  parseLeadInput,
  parseLeadUpdateInput,
  updateLeadInputSchema,
} from './lead-input.ts';

const PHONE_MESSAGE = 'Enter a valid phone number with area code, e.g. (11) 99999-9999';

const minimal = { name: 'Maria da Silva', email: 'maria@example.com', origin: 'SITE' };

function valueOf(field: string, input: unknown): unknown {
  const result = parseLeadInput({ ...minimal, [field]: input });
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.fieldErrors)}`);
  return (result.value as unknown as Record<string, unknown>)[field];
}

/** A refusal as English alone: its Portuguese wording is checked on its own. */
function english<T extends { ok: boolean }>(result: T): T {
  if (result.ok) return result;
  const { translations: _translations, ...rest } = result as T & { translations?: unknown };
  const fieldErrors = (rest as { fieldErrors?: { path: string; message: string }[] }).fieldErrors;
  return (
    fieldErrors
      ? { ...rest, fieldErrors: fieldErrors.map(({ path, message }) => ({ path, message })) }
      : rest
  ) as T;
}

/** The field's refusals in English (their translations are checked on their own below). */
function errorsOf(field: string, input: unknown) {
  const result = parseLeadInput({ ...minimal, [field]: input });
  return result.ok ? [] : result.fieldErrors.map(({ path, message }) => ({ path, message }));
}

describe('name', () => {
  it.each([
    ['maria da silva', 'Maria da Silva'],
    ['JOÃO DOS SANTOS', 'João dos Santos'],
    ['  Ana   Paula ', 'Ana Paula'],
    ['DE SOUZA', 'De Souza'],
    ['maria das dores e silva', 'Maria das Dores e Silva'],
    ['pedro do carmo', 'Pedro do Carmo'],
    ["ana-maria d'ávila", "Ana-Maria d'Ávila"],
    ["d'ávila", "D'Ávila"],
    ["o'brien", "O'Brien"],
    ['ÁLVARO ÂNGELO', 'Álvaro Ângelo'],
    ['j. r. tolkien', 'J. R. Tolkien'],
    ['McDonald', 'McDonald'],
    ['João DA Silva', 'João DA Silva'],
    ['ana paula Souza', 'ana paula Souza'],
    ['李小龍', '李小龍'],
    ['jose\u0301 silva', 'José Silva'],
    ['Ana\u200B Paula', 'Ana Paula'],
    ['Ana\tPaula\n', 'Ana Paula'],
    ['a'.repeat(255), `A${'a'.repeat(254)}`],
  ])('normalises the name %j to %j', (input, expected) => {
    expect(valueOf('name', input)).toBe(expected);
  });

  it.each([
    ['A', 'Name must have at least 2 letters'],
    ['12', 'Name must have at least 2 letters'],
    ['A.', 'Name must have at least 2 letters'],
    ['!!@@##', 'Name must have at least 2 letters'],
    ['Ana 2', 'Name can only contain letters, spaces, hyphens, apostrophes and periods'],
    ['Ana <b>', 'Name can only contain letters, spaces, hyphens, apostrophes and periods'],
    ['a'.repeat(256), 'Name must be at most 255 characters'],
    ['', 'Name is required'],
    ['   ', 'Name is required'],
    [null, 'Name is required'],
    [undefined, 'Name is required'],
    [42, 'Name must be text'],
  ])('rejects the name %j with %j', (input, message) => {
    expect(errorsOf('name', input)).toEqual([{ path: 'name', message }]);
  });
});

describe('email', () => {
  it.each([
    ['Maria@Example.COM', 'maria@example.com'],
    ['  maria@example.com ', 'maria@example.com'],
    ['maria.silva+leads@mail.example.com.br', 'maria.silva+leads@mail.example.com.br'],
    [`${'a'.repeat(64)}@${'b'.repeat(186)}.com`, `${'a'.repeat(64)}@${'b'.repeat(186)}.com`],
  ])('normalises the email %j to %j', (input, expected) => {
    expect(valueOf('email', input)).toBe(expected);
  });

  it.each([
    ['a@b', 'Enter a valid email address'],
    ['maria silva@example.com', 'Enter a valid email address'],
    ['maria..silva@example.com', 'Enter a valid email address'],
    ['maria@example..com', 'Enter a valid email address'],
    ['.maria@example.com', 'Enter a valid email address'],
    ['maria', 'Enter a valid email address'],
    ['@example.com', 'Enter a valid email address'],
    ['maria@', 'Enter a valid email address'],
    [`${'a'.repeat(64)}@${'b'.repeat(187)}.com`, 'Email must be at most 255 characters'],
    ['', 'Email is required'],
    [undefined, 'Email is required'],
    [true, 'Email must be text'],
  ])('rejects the email %j with %j', (input, message) => {
    expect(errorsOf('email', input)).toEqual([{ path: 'email', message }]);
  });
});

describe('phone', () => {
  it.each([
    ['(11) 99999-9999', '+5511999999999'],
    ['11999999999', '+5511999999999'],
    ['+55 11 99999-9999', '+5511999999999'],
    ['+55 (11) 99999-9999', '+5511999999999'],
    ['011 99999-9999', '+5511999999999'],
    ['(21) 98765-4321', '+5521987654321'],
    ['(11) 3333-4444', '+551133334444'],
    ['11 3333.4444', '+551133334444'],
    ['+1 415 555 2671', '+14155552671'],
    ['+351 912 345 678', '+351912345678'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('stores the phone %j as %j', (input, expected) => {
    expect(valueOf('phone', input)).toBe(expected);
  });

  it.each([
    ['(11) 9999', 'too short'],
    ['(11) 99999-99999', 'too long'],
    ['(00) 99999-9999', 'area code 00'],
    ['(20) 99999-9999', 'an area code that does not exist'],
    ['(11) 89999-9999', 'an 11-digit mobile without the leading 9'],
    ['abc', 'letters only'],
    ['11 9999a-9999', 'a letter among the digits'],
    ['call 11 99999-9999', 'a number inside text'],
    ['+55 11 99999-9999 ext. 12', 'an extension'],
    ['+999 1234 5678', 'an unknown country code'],
  ])('rejects the phone %j (%s)', (input) => {
    expect(errorsOf('phone', input)).toEqual([{ path: 'phone', message: PHONE_MESSAGE }]);
  });

  it('rejects a phone given as a number', () => {
    expect(errorsOf('phone', 11999999999)).toEqual([
      { path: 'phone', message: 'Phone must be text' },
    ]);
  });
});

describe('origin', () => {
  it.each(['META_ADS', 'GOOGLE_ADS', 'WHATSAPP', 'SITE', 'REFERRAL', 'OTHER'])(
    'accepts the origin %s',
    (origin) => {
      expect(valueOf('origin', origin)).toBe(origin);
    },
  );

  it.each([
    ['meta_ads', 'Choose a valid origin'],
    ['FACEBOOK', 'Choose a valid origin'],
    [1, 'Choose a valid origin'],
    ['', 'Origin is required'],
    [undefined, 'Origin is required'],
  ])('rejects the origin %j with %j', (input, message) => {
    expect(errorsOf('origin', input)).toEqual([{ path: 'origin', message }]);
  });
});

describe('approximateIncome', () => {
  it.each([
    [15000, '15000.00'],
    [15000.5, '15000.50'],
    [0, '0.00'],
    [99999999.99, '99999999.99'],
    ['15000.50', '15000.50'],
    ['15000', '15000.00'],
    ['0.5', '0.50'],
    ['15.000,50', '15000.50'],
    ['15000,5', '15000.50'],
    ['1.234.567,89', '1234567.89'],
    ['1.500.000', '1500000.00'],
    [' 250 ', '250.00'],
    ['007', '7.00'],
    ['99.999.999,99', '99999999.99'],
  ])('stores the income %j as %j', (input, expected) => {
    expect(valueOf('approximateIncome', input)).toBe(expected);
  });

  it.each([
    [-1, 'Income cannot be negative'],
    ['-1', 'Income cannot be negative'],
    ['-15.000,50', 'Income cannot be negative'],
    [100000000, 'Income must be at most 99,999,999.99'],
    ['100000000', 'Income must be at most 99,999,999.99'],
    ['100.000.000,00', 'Income must be at most 99,999,999.99'],
    [1e21, 'Income must be at most 99,999,999.99'],
    [1.234, 'Income can have at most 2 decimal places'],
    [1e-7, 'Income can have at most 2 decimal places'],
    ['10.999', 'Ambiguous amount: write 15000.00 or 15.000,00'],
    ['15.000', 'Ambiguous amount: write 15000.00 or 15.000,00'],
    ['15,000', 'Ambiguous amount: write 15000.00 or 15.000,00'],
    ['1.500,999', 'Income can have at most 2 decimal places'],
    ['0.500', 'Income can have at most 2 decimal places'],
    ['0,500', 'Income can have at most 2 decimal places'],
    ['15,000.50', 'Enter an amount such as 15000.50 or 15.000,50'],
    ['15 000', 'Enter an amount such as 15000.50 or 15.000,50'],
    ['R$ 15.000,50', 'Enter an amount such as 15000.50 or 15.000,50'],
    ['1e5', 'Enter an amount such as 15000.50 or 15.000,50'],
    ['abc', 'Enter an amount such as 15000.50 or 15.000,50'],
    [Number.NaN, 'Enter an amount such as 15000.50 or 15.000,50'],
    [Number.POSITIVE_INFINITY, 'Enter an amount such as 15000.50 or 15.000,50'],
    [true, 'Enter an amount such as 15000.50 or 15.000,50'],
  ])('rejects the income %j with %j', (input, message) => {
    expect(errorsOf('approximateIncome', input)).toEqual([{ path: 'approximateIncome', message }]);
  });
});

describe('free-text fields', () => {
  it('trims interest', () => {
    expect(valueOf('interest', '  Apartamento de 2 quartos \n')).toBe('Apartamento de 2 quartos');
  });

  it('counts interest length in characters, not UTF-16 units', () => {
    expect(valueOf('interest', '😀'.repeat(2000))).toBe('😀'.repeat(2000));
  });

  it('rejects interest over 2,000 characters', () => {
    expect(errorsOf('interest', 'a'.repeat(2001))).toEqual([
      { path: 'interest', message: 'Interest must be at most 2,000 characters' },
    ]);
  });

  it('keeps line breaks in notes and drops NUL characters', () => {
    expect(valueOf('notes', 'Ligou hoje.\nRetornar\u0000 amanhã.')).toBe(
      'Ligou hoje.\nRetornar amanhã.',
    );
  });

  it('accepts notes of exactly 10,000 characters', () => {
    expect(valueOf('notes', 'a'.repeat(10_000))).toHaveLength(10_000);
  });

  it('rejects notes over 10,000 characters', () => {
    expect(errorsOf('notes', 'a'.repeat(10_001))).toEqual([
      { path: 'notes', message: 'Notes must be at most 10,000 characters' },
    ]);
  });

  it('trims the city and collapses its whitespace', () => {
    expect(valueOf('city', '  São   Paulo ')).toBe('São Paulo');
  });

  it('accepts a city of exactly 100 characters', () => {
    expect(valueOf('city', 'a'.repeat(100))).toBe('a'.repeat(100));
  });

  it('rejects a city over 100 characters', () => {
    expect(errorsOf('city', 'a'.repeat(101))).toEqual([
      { path: 'city', message: 'City must be at most 100 characters' },
    ]);
  });

  it('rejects a city that is not text', () => {
    expect(errorsOf('city', 3550308)).toEqual([{ path: 'city', message: 'City must be text' }]);
  });
});

describe('parseLeadInput', () => {
  it('returns every field normalised', () => {
    expect(
      parseLeadInput({
        name: 'JOÃO DOS SANTOS',
        email: ' Joao@Example.com ',
        phone: '(11) 99999-9999',
        origin: 'WHATSAPP',
        interest: ' Casa ',
        approximateIncome: '15.000,50',
        city: ' Rio  de Janeiro ',
        notes: 'Prefere WhatsApp',
      }),
    ).toStrictEqual({
      ok: true,
      value: {
        name: 'João dos Santos',
        email: 'joao@example.com',
        phone: '+5511999999999',
        origin: 'WHATSAPP',
        interest: 'Casa',
        approximateIncome: '15000.50',
        city: 'Rio de Janeiro',
        notes: 'Prefere WhatsApp',
      },
    });
  });

  it('sets absent optional fields to null', () => {
    expect(parseLeadInput(minimal)).toStrictEqual({
      ok: true,
      value: {
        ...minimal,
        phone: null,
        interest: null,
        approximateIncome: null,
        city: null,
        notes: null,
      },
    });
  });

  it('treats empty and blank strings in optional fields as not given', () => {
    const result = parseLeadInput({
      ...minimal,
      phone: '',
      interest: ' ',
      approximateIncome: '',
      city: '',
      notes: '\n',
    });
    expect(result).toMatchObject({
      ok: true,
      value: { phone: null, interest: null, approximateIncome: null, city: null, notes: null },
    });
  });

  it('treats null optional fields as not given', () => {
    const result = parseLeadInput({ ...minimal, phone: null, approximateIncome: null });
    expect(result).toMatchObject({ ok: true, value: { phone: null, approximateIncome: null } });
  });

  it('reports each unknown field by its key', () => {
    expect(english(parseLeadInput({ ...minimal, score: 100, status: 'HOT' }))).toEqual({
      ok: false,
      fieldErrors: [
        { path: 'score', message: 'Unknown field' },
        { path: 'status', message: 'Unknown field' },
      ],
    });
  });

  it('reports one message for each failing field', () => {
    expect(english(parseLeadInput({ phone: 'abc', extra: 1 }))).toEqual({
      ok: false,
      fieldErrors: [
        { path: 'name', message: 'Name is required' },
        { path: 'email', message: 'Email is required' },
        { path: 'phone', message: PHONE_MESSAGE },
        { path: 'origin', message: 'Origin is required' },
        { path: 'extra', message: 'Unknown field' },
      ],
    });
  });

  it.each([[null], ['maria'], [[minimal]]])('rejects the input %j that is not an object', (raw) => {
    expect(english(parseLeadInput(raw))).toEqual({
      ok: false,
      fieldErrors: [{ path: '', message: 'Expected an object of lead fields' }],
    });
  });
});

describe('parseLeadUpdateInput', () => {
  it('returns only the given fields, normalised', () => {
    expect(parseLeadUpdateInput({ name: 'maria da silva', approximateIncome: 1200 })).toStrictEqual(
      { ok: true, value: { name: 'Maria da Silva', approximateIncome: '1200.00' } },
    );
  });

  it('clears optional fields given as null or as an empty string', () => {
    expect(parseLeadUpdateInput({ phone: null, city: '', notes: null })).toStrictEqual({
      ok: true,
      value: { phone: null, city: null, notes: null },
    });
  });

  it.each([
    [{ name: null }, 'name', 'Name is required'],
    [{ email: '' }, 'email', 'Email is required'],
    [{ origin: null }, 'origin', 'Origin is required'],
  ])('refuses to clear a required field with %j', (raw, path, message) => {
    expect(english(parseLeadUpdateInput(raw))).toEqual({
      ok: false,
      fieldErrors: [{ path, message }],
    });
  });

  it.each([[{}], [{ name: undefined }]])('rejects the update %j that changes nothing', (raw) => {
    expect(english(parseLeadUpdateInput(raw))).toEqual({
      ok: false,
      fieldErrors: [{ path: '', message: 'Change at least one field' }],
    });
  });

  it('rejects unknown fields in an update', () => {
    expect(english(parseLeadUpdateInput({ id: 'x', email: 'A@B.COM' }))).toEqual({
      ok: false,
      fieldErrors: [{ path: 'id', message: 'Unknown field' }],
    });
  });

  it('validates updated fields with the create rules', () => {
    expect(
      english(parseLeadUpdateInput({ phone: '(00) 99999-9999', approximateIncome: -1 })),
    ).toEqual({
      ok: false,
      fieldErrors: [
        { path: 'phone', message: PHONE_MESSAGE },
        { path: 'approximateIncome', message: 'Income cannot be negative' },
      ],
    });
  });
});

describe('zod schemas', () => {
  it('parses create input with createLeadInputSchema directly', () => {
    expect(createLeadInputSchema.parse({ ...minimal, email: 'MARIA@EXAMPLE.COM' })).toMatchObject({
      email: 'maria@example.com',
      phone: null,
    });
  });

  it('reports unknown keys from updateLeadInputSchema as one issue naming them', () => {
    const result = updateLeadInputSchema.safeParse({ city: 'Recife', foo: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['foo'], message: 'Unknown field' },
    ]);
  });
});

describe('normalisers used outside the form', () => {
  it('normalises a name on its own', () => {
    expect(normaliseName(' MARIA  DA SILVA ')).toEqual({ ok: true, value: 'Maria da Silva' });
  });

  it('normalises an email on its own', () => {
    expect(normaliseEmail('Maria@Example.com')).toEqual({ ok: true, value: 'maria@example.com' });
  });

  it('normalises a phone on its own', () => {
    expect(normalisePhone('+55 11 99999-9999')).toEqual({ ok: true, value: '+5511999999999' });
  });

  it('rejects a blank phone when called on its own', () => {
    expect(english(normalisePhone('  '))).toEqual({ ok: false, message: PHONE_MESSAGE });
  });

  it('normalises an income on its own', () => {
    expect(normaliseIncome('15.000,50')).toEqual({ ok: true, value: '15000.50' });
  });
});

describe('Portuguese', () => {
  it.each([
    ['name', '', 'Informe o nome'],
    ['name', 'A', 'O nome precisa ter pelo menos 2 letras'],
    ['email', 'maria@', 'Informe um e-mail válido'],
    ['phone', '12345', 'Informe um telefone válido com DDD, por exemplo (11) 99999-9999'],
    ['approximateIncome', '15.000', 'Valor ambíguo: escreva 15000.00 ou 15.000,00'],
    ['city', 'a'.repeat(101), 'A cidade pode ter no máximo 100 caracteres'],
    ['interest', 'a'.repeat(2_001), 'O interesse pode ter no máximo 2.000 caracteres'],
    ['origin', 'TV', 'Escolha uma origem válida'],
  ])('words the refusal of %s %j in Portuguese', (field, input, portuguese) => {
    const result = parseLeadInput({ ...minimal, [field]: input });
    expect(result.ok ? [] : result.fieldErrors).toEqual([
      expect.objectContaining({ path: field, translations: { 'pt-BR': portuguese } }),
    ]);
  });

  it('has a Portuguese wording for every refusal, unknown fields and empty updates included', () => {
    const refusals = [
      parseLeadInput({ phone: 'abc', approximateIncome: -1, extra: 1, notes: 3 }),
      parseLeadInput(null),
      parseLeadUpdateInput({}),
      parseLeadUpdateInput({ name: null, email: 'x', city: 'a'.repeat(101) }),
    ].flatMap((result) => (result.ok ? [] : result.fieldErrors));
    expect(refusals.length).toBeGreaterThan(8);
    for (const refusal of refusals) {
      expect(refusal.translations?.['pt-BR'], refusal.message).toMatch(/\S/);
      expect(refusal.translations?.['pt-BR']).not.toBe(refusal.message);
    }
  });
});
