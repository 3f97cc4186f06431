import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { z } from 'zod';
import { LeadOrigin } from '../generated/prisma/enums.ts';
import { bilingual, bilingualTemplate, translationsOf } from '../localization/catalog.ts';
import type { Translations } from '../localization/locale.ts';

/** A lead's fields after validation, ready for `prisma.lead.create({ data })`. */
export interface NormalisedLeadInput {
  name: string;
  /** Lower-case. */
  email: string;
  /** E.164, e.g. `+5511999999999`. */
  phone: string | null;
  origin: LeadOrigin;
  interest: string | null;
  /** Two decimals, e.g. `"15000.50"`, for a Prisma Decimal. */
  approximateIncome: string | null;
  city: string | null;
  notes: string | null;
}

/**
 * The fields to change, ready for `prisma.lead.update({ data })`: only the given keys are present,
 * `null` clears an optional field, and required fields are never null.
 */
export type NormalisedLeadUpdate = Partial<NormalisedLeadInput>;

/**
 * One message for one input field. `path` is the GraphQL input field name, or `''` for the input
 * as a whole (not an object, or an update that changes nothing).
 */
export interface LeadFieldError {
  path: string;
  /** In English; `translations` words it for people who read another language. */
  message: string;
  translations?: Translations;
}

export type LeadInputResult<T> =
  { ok: true; value: T } | { ok: false; fieldErrors: LeadFieldError[] };

export type NormaliseResult<T> =
  { ok: true; value: T } | { ok: false; message: string; translations?: Translations };

const NAME_MAX = 255;
const EMAIL_MAX = 255;
const CITY_MAX = 100;
const INTEREST_MAX = 2_000;
const NOTES_MAX = 10_000;
// decimal(10,2): eight digits before the point.
const INCOME_INTEGER_DIGITS = 8;

const ok = <T>(value: T): NormaliseResult<T> => ({ ok: true, value });
// Every refusal is worded in English and Portuguese: these messages reach the people who fill in
// lead forms (the embed script and the no-JavaScript form show them beside the field) and the
// dashboard's users, most of whom read Portuguese. They are catalog entries recorded when this
// module loads: a refusal the worker stores (a webhook payload it could not map) then reads in
// Portuguese in the API too.
const fail = (message: string): NormaliseResult<never> => ({
  ok: false,
  message,
  translations: translationsOf(message),
});

const messages = {
  phoneInvalid: bilingual(
    'Enter a valid phone number with area code, e.g. (11) 99999-9999',
    'Informe um telefone válido com DDD, por exemplo (11) 99999-9999',
  ),
  incomeFormat: bilingual(
    'Enter an amount such as 15000.50 or 15.000,50',
    'Informe um valor como 15000.50 ou 15.000,50',
  ),
  incomeAmbiguous: bilingual(
    'Ambiguous amount: write 15000.00 or 15.000,00',
    'Valor ambíguo: escreva 15000.00 ou 15.000,00',
  ),
  incomeNegative: bilingual('Income cannot be negative', 'A renda não pode ser negativa'),
  incomeTooLarge: bilingual(
    'Income must be at most 99,999,999.99',
    'A renda pode ser no máximo 99.999.999,99',
  ),
  incomeDecimals: bilingual(
    'Income can have at most 2 decimal places',
    'A renda pode ter no máximo 2 casas decimais',
  ),
  nameLetters: bilingual(
    'Name must have at least 2 letters',
    'O nome precisa ter pelo menos 2 letras',
  ),
  nameCharacters: bilingual(
    'Name can only contain letters, spaces, hyphens, apostrophes and periods',
    'O nome só pode ter letras, espaços, hífens, apóstrofos e pontos',
  ),
  emailInvalid: bilingual('Enter a valid email address', 'Informe um e-mail válido'),
  originRequired: bilingual('Origin is required', 'Informe a origem'),
  originInvalid: bilingual('Choose a valid origin', 'Escolha uma origem válida'),
};

const phoneInvalid = () => fail(messages.phoneInvalid);
const incomeFormat = () => fail(messages.incomeFormat);
const incomeNegative = () => fail(messages.incomeNegative);
const incomeTooLarge = () => fail(messages.incomeTooLarge);
const incomeDecimals = () => fail(messages.incomeDecimals);

/** A field's own refusals, naming it in English and in Portuguese with its article ("o nome"). */
interface FieldLabel {
  required: string;
  notText: string;
  notUrl: string;
  tooLong: (values: { max: number }) => string;
}

const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase('pt-BR') + text.slice(1);

function fieldLabel(english: string, portuguese: string): FieldLabel {
  const subject = capitalise(portuguese);
  return {
    required: bilingual(`${english} is required`, `Informe ${portuguese}`),
    notText: bilingual(`${english} must be text`, `${subject} deve ser um texto`),
    notUrl: bilingual(`${english} must be an http(s) URL`, `${subject} deve ser uma URL http(s)`),
    tooLong: bilingualTemplate<'max'>(
      `${english} must be at most {max} characters`,
      `${subject} pode ter no máximo {max} caracteres`,
    ),
  };
}

const required = (label: FieldLabel) => fail(label.required);
const notText = (label: FieldLabel) => fail(label.notText);
const tooLong = (label: FieldLabel, max: number) => fail(label.tooLong({ max }));

const labels = {
  name: fieldLabel('Name', 'o nome'),
  email: fieldLabel('Email', 'o e-mail'),
  phone: fieldLabel('Phone', 'o telefone'),
  interest: fieldLabel('Interest', 'o interesse'),
  city: fieldLabel('City', 'a cidade'),
  notes: fieldLabel('Notes', 'as observações'),
  utmSource: fieldLabel('UTM source', 'o UTM source'),
  utmMedium: fieldLabel('UTM medium', 'o UTM medium'),
  utmCampaign: fieldLabel('UTM campaign', 'o UTM campaign'),
  utmTerm: fieldLabel('UTM term', 'o UTM term'),
  utmContent: fieldLabel('UTM content', 'o UTM content'),
  landingPage: fieldLabel('Landing page', 'a página de entrada'),
  referrer: fieldLabel('Referrer', 'a página de origem'),
};

/** Postgres varchar(n) counts characters (code points), not UTF-16 units. */
export const characterCount = (text: string): number => [...text].length;

/**
 * Normalises to NFC, collapses whitespace, drops control and invisible format characters, trims.
 * NUL makes Postgres reject the whole row, and the other controls and format characters
 * (zero-width spaces, BOMs, soft hyphens) only arrive by copy-paste.
 */
export function cleanSingleLine(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

// Keeps line breaks and tabs, and format characters such as the zero-width joiner that emoji need.
function cleanMultiLine(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[^\P{Cc}\t\n\r]/gu, '')
    .trim();
}

const NAME_CHARACTERS = /^[\p{L}\p{M} .'’-]+$/u;
const LETTER = /\p{L}/gu;
const PARTICLES = new Set(['da', 'de', 'do', 'das', 'dos', 'e']);

/**
 * Trims and collapses whitespace, requires at least two letters and allows only letters, spaces,
 * hyphens, apostrophes and periods.
 *
 * A name typed all in lower or all in upper case carries no casing intent, so it is title-cased:
 * each part after a hyphen, apostrophe or period starts upper-case (`ana-maria` → `Ana-Maria`,
 * `o'brien` → `O'Brien`), and the Portuguese particles da, de, do, das, dos, e, plus the elided
 * `d'` (`d'Ávila`, as in Manuela d'Ávila), stay lower-case except as the first word
 * (`DE SOUZA` → `De Souza`). A name in mixed case (`McDonald`, `João DA Silva`) is kept as typed:
 * the person chose it.
 */
export function normaliseName(value: string): NormaliseResult<string> {
  const name = cleanSingleLine(value);
  if (name === '') return required(labels.name);
  if ((name.match(LETTER)?.length ?? 0) < 2) {
    return fail(messages.nameLetters);
  }
  if (!NAME_CHARACTERS.test(name)) {
    return fail(messages.nameCharacters);
  }
  if (characterCount(name) > NAME_MAX) return tooLong(labels.name, NAME_MAX);
  return ok(isSingleCase(name) ? titleCase(name) : name);
}

function isSingleCase(text: string): boolean {
  return text === text.toLocaleLowerCase('pt-BR') || text === text.toLocaleUpperCase('pt-BR');
}

function titleCase(name: string): string {
  return name
    .split(' ')
    .map((word, index) => titleCaseWord(word, index === 0))
    .join(' ');
}

function titleCaseWord(word: string, isFirst: boolean): string {
  const lower = word.toLocaleLowerCase('pt-BR');
  if (!isFirst && PARTICLES.has(lower)) return lower;
  const capitalised = lower.replace(
    /(^|[-.'’])(\p{L})/gu,
    (_match, separator: string, letter: string) => separator + letter.toLocaleUpperCase('pt-BR'),
  );
  if (!isFirst && /^d['’]/u.test(lower)) return `d${capitalised.slice(1)}`;
  return capitalised;
}

// RFC 2606 reserves .invalid: no such address can receive mail. Erasure gives erased leads an
// address there (privacy/privacy.ts), so refusing it also keeps a submission from merging into,
// and refilling, an erased lead.
const RESERVED_INVALID_DOMAIN = /\.invalid$/;

/** Trims, lower-cases and validates an email address (at most 255 characters). */
export function normaliseEmail(value: string): NormaliseResult<string> {
  const email = value.trim().toLowerCase();
  if (email === '') return required(labels.email);
  if (email.length > EMAIL_MAX) return tooLong(labels.email, EMAIL_MAX);
  if (!z.regexes.email.test(email) || RESERVED_INVALID_DOMAIN.test(email)) {
    return fail(messages.emailInvalid);
  }
  return ok(email);
}

// Only what people type around a number: libphonenumber otherwise digs a number out of any text
// ("call 11 99999-9999 after 6") and drops extensions that E.164 cannot hold.
const PHONE_CHARACTERS = /^\+?[\d\s().-]+$/u;

/**
 * Parses a phone number as Brazilian unless it starts with `+` and returns it in E.164.
 *
 * Uses libphonenumber-js's `max` metadata: the default `min` metadata checks only the length, so it
 * accepts area codes that do not exist, such as (20), and 11-digit mobiles without the leading 9.
 */
export function normalisePhone(value: string): NormaliseResult<string> {
  const text = value.trim();
  if (!PHONE_CHARACTERS.test(text)) return phoneInvalid();
  try {
    const phone = parsePhoneNumberWithError(text, 'BR');
    return phone.isValid() ? ok(phone.number) : phoneInvalid();
  } catch {
    return phoneInvalid();
  }
}

// "15.000" and "1.234" could be Brazilian thousands or a decimal point; "15,000" could be a
// decimal comma or US thousands. Guessing would store an income a thousand times off. "0.500"
// is not: nobody writes a thousands group after a zero.
const AMBIGUOUS_AMOUNT = /^[1-9]\d{0,2}[.,]\d{3}$/;
const POINT_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const BRAZILIAN_DECIMAL = /^(\d{1,3}(?:\.\d{3})+|\d+),(\d+)$/;
const BRAZILIAN_THOUSANDS = /^\d{1,3}(?:\.\d{3}){2,}$/;

interface Amount {
  integer: string;
  fraction: string;
}

/**
 * Accepts a number or a string in either `15000.50` or Brazilian `15.000,50` form and returns it
 * with two decimals, within decimal(10,2). Ambiguous strings such as `15.000` are rejected.
 */
export function normaliseIncome(value: number | string): NormaliseResult<string> {
  return typeof value === 'number' ? normaliseIncomeNumber(value) : normaliseIncomeText(value);
}

function normaliseIncomeNumber(value: number): NormaliseResult<string> {
  if (!Number.isFinite(value)) return incomeFormat();
  if (value < 0) return incomeNegative();
  // String(n) is the shortest text that reads back as n, so 1.234 keeps its three decimals. It
  // uses an exponent only below 1e-6 (too many decimals) and from 1e21 (too large).
  const point = POINT_DECIMAL.exec(String(value));
  if (!point) return value < 1 ? incomeDecimals() : incomeTooLarge();
  return checkAmount({ integer: point[1] ?? '', fraction: point[2] ?? '' });
}

function normaliseIncomeText(value: string): NormaliseResult<string> {
  const text = value.trim();
  const negative = text.startsWith('-');
  const amount = parseAmount(negative ? text.slice(1) : text);
  if (amount === 'ambiguous') {
    return fail(messages.incomeAmbiguous);
  }
  if (amount === undefined) return incomeFormat();
  if (negative && /[1-9]/.test(amount.integer + amount.fraction)) return incomeNegative();
  return checkAmount(amount);
}

function checkAmount({ integer, fraction }: Amount): NormaliseResult<string> {
  const digits = integer.replace(/^0+(?=\d)/, '');
  if (digits.length > INCOME_INTEGER_DIGITS) return incomeTooLarge();
  if (fraction.length > 2) return incomeDecimals();
  return ok(`${digits}.${fraction.padEnd(2, '0')}`);
}

function parseAmount(text: string): Amount | 'ambiguous' | undefined {
  if (AMBIGUOUS_AMOUNT.test(text)) return 'ambiguous';
  const point = POINT_DECIMAL.exec(text);
  if (point) return { integer: point[1] ?? '', fraction: point[2] ?? '' };
  const brazilian = BRAZILIAN_DECIMAL.exec(text);
  if (brazilian) {
    return { integer: (brazilian[1] ?? '').replaceAll('.', ''), fraction: brazilian[2] ?? '' };
  }
  if (BRAZILIAN_THOUSANDS.test(text)) return { integer: text.replaceAll('.', ''), fraction: '' };
  return undefined;
}

type FieldRule<T> = (value: unknown) => NormaliseResult<T>;

const isBlank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function requiredText(
  label: FieldLabel,
  normalise: (value: string) => NormaliseResult<string>,
): FieldRule<string> {
  return (value) => {
    if (isBlank(value)) return required(label);
    return typeof value === 'string' ? normalise(value) : notText(label);
  };
}

// Forms send an empty string for a field left blank: it means "not given", stored as null.
function optionalText(
  label: FieldLabel,
  normalise: (value: string) => NormaliseResult<string>,
): FieldRule<string | null> {
  return (value) => {
    if (isBlank(value)) return ok(null);
    return typeof value === 'string' ? normalise(value) : notText(label);
  };
}

function limitedText(label: FieldLabel, max: number, clean: (text: string) => string) {
  return (value: string): NormaliseResult<string> => {
    const text = clean(value);
    return characterCount(text) > max ? tooLong(label, max) : ok(text);
  };
}

const LEAD_ORIGINS = new Set<unknown>(Object.values(LeadOrigin));

const originRule: FieldRule<LeadOrigin> = (value) => {
  if (isBlank(value)) return fail(messages.originRequired);
  return LEAD_ORIGINS.has(value) ? ok(value as LeadOrigin) : fail(messages.originInvalid);
};

const incomeRule: FieldRule<string | null> = (value) => {
  if (isBlank(value)) return ok(null);
  if (typeof value !== 'number' && typeof value !== 'string') return incomeFormat();
  return normaliseIncome(value);
};

const rules = {
  name: requiredText(labels.name, normaliseName),
  email: requiredText(labels.email, normaliseEmail),
  phone: optionalText(labels.phone, normalisePhone),
  origin: originRule,
  interest: optionalText(
    labels.interest,
    limitedText(labels.interest, INTEREST_MAX, cleanMultiLine),
  ),
  approximateIncome: incomeRule,
  city: optionalText(labels.city, limitedText(labels.city, CITY_MAX, cleanSingleLine)),
  notes: optionalText(labels.notes, limitedText(labels.notes, NOTES_MAX, cleanMultiLine)),
};

// Each field is one transform so that it reports at most one issue: the first rule that fails.
// `.optional()` lets an absent key reach the rule (zod would otherwise report it as missing with
// its own message); the rule decides whether absence is an error, a null or "leave it alone".
function field<T>(rule: FieldRule<T>) {
  return z
    .unknown()
    .optional()
    .transform((value, context): T => {
      const result = rule(value);
      if (result.ok) return result.value;
      context.addIssue({
        code: 'custom',
        message: result.message,
        params: { translations: result.translations },
      });
      return z.NEVER;
    });
}

// In an update an absent key leaves the column alone; null or blank goes through the rule, which
// clears an optional field and rejects a required one.
function updatableField<T>(rule: FieldRule<T>) {
  return field<T | undefined>((value) => (value === undefined ? ok(undefined) : rule(value)));
}

const objectErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'unrecognized_keys') return 'Unknown field';
  if (issue.code === 'invalid_type') return 'Expected an object of lead fields';
  return undefined;
};

export const createLeadInputSchema = z.strictObject(
  {
    name: field(rules.name),
    email: field(rules.email),
    phone: field(rules.phone),
    origin: field(rules.origin),
    interest: field(rules.interest),
    approximateIncome: field(rules.approximateIncome),
    city: field(rules.city),
    notes: field(rules.notes),
  },
  { error: objectErrors },
) satisfies z.ZodType<NormalisedLeadInput>;

export const updateLeadInputSchema = z
  .strictObject(
    {
      name: updatableField(rules.name),
      email: updatableField(rules.email),
      phone: updatableField(rules.phone),
      origin: updatableField(rules.origin),
      interest: updatableField(rules.interest),
      approximateIncome: updatableField(rules.approximateIncome),
      city: updatableField(rules.city),
      notes: updatableField(rules.notes),
    },
    { error: objectErrors },
  )
  .transform((fields, context): NormalisedLeadUpdate => {
    const given = Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined),
    ) as NormalisedLeadUpdate;
    if (Object.keys(given).length > 0) return given;
    context.addIssue({
      code: 'custom',
      message: 'Change at least one field',
      params: { translations: { 'pt-BR': 'Altere pelo menos um campo' } },
      path: [],
    });
    return z.NEVER;
  });

/** Validates and normalises `createLead` input: one message per field, unknown keys rejected. */
export function parseLeadInput(raw: unknown): LeadInputResult<NormalisedLeadInput> {
  return toResult(createLeadInputSchema.safeParse(raw));
}

/** Validates and normalises `updateLead` input: absent keys are left alone, null clears. */
export function parseLeadUpdateInput(raw: unknown): LeadInputResult<NormalisedLeadUpdate> {
  return toResult(updateLeadInputSchema.safeParse(raw));
}

function toResult<T>(parsed: z.ZodSafeParseResult<T>): LeadInputResult<T> {
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, fieldErrors: toFieldErrors(parsed.error.issues) };
}

// The messages objectErrors gives, in Portuguese.
const objectErrorTranslations: Partial<Record<z.core.$ZodIssue['code'], Translations>> = {
  unrecognized_keys: { 'pt-BR': 'Campo desconhecido' },
  invalid_type: { 'pt-BR': 'Esperava um objeto com os campos do lead' },
};

function toFieldErrors(issues: readonly z.core.$ZodIssue[]): LeadFieldError[] {
  const errors = new Map<string, LeadFieldError>();
  for (const issue of issues) {
    const paths =
      issue.code === 'unrecognized_keys' ? issue.keys : [issue.path.map(String).join('.')];
    const translations =
      issue.code === 'custom'
        ? (issue.params?.['translations'] as Translations | undefined)
        : objectErrorTranslations[issue.code];
    for (const path of paths) {
      if (!errors.has(path)) {
        errors.set(path, { path, message: issue.message, ...(translations && { translations }) });
      }
    }
  }
  return [...errors.values()];
}

// Attribution -------------------------------------------------------------------------------

/** Where a person came from, after validation: what conversion by source counts. */
export interface NormalisedAttribution {
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  /** An http(s) URL, without credentials. */
  landingPage: string | null;
  /** An http(s) URL, without credentials. */
  referrer: string | null;
}

const UTM_MAX = 255;
const PAGE_URL_MAX = 2_000;

/**
 * An http(s) URL as the browser would write it. Other schemes (javascript:, data:) are refused: the
 * dashboard shows these as links. User and password are dropped: they are secrets, not attribution.
 */
function pageUrl(label: FieldLabel) {
  return (value: string): NormaliseResult<string> => {
    const text = value.trim();
    const url = URL.canParse(text) ? new URL(text) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return fail(label.notUrl);
    }
    url.username = '';
    url.password = '';
    return characterCount(url.href) > PAGE_URL_MAX ? tooLong(label, PAGE_URL_MAX) : ok(url.href);
  };
}

function utmRule(label: FieldLabel): FieldRule<string | null> {
  return optionalText(label, limitedText(label, UTM_MAX, cleanSingleLine));
}

const attributionRules: { [K in keyof NormalisedAttribution]: FieldRule<string | null> } = {
  utmSource: utmRule(labels.utmSource),
  utmMedium: utmRule(labels.utmMedium),
  utmCampaign: utmRule(labels.utmCampaign),
  utmTerm: utmRule(labels.utmTerm),
  utmContent: utmRule(labels.utmContent),
  landingPage: optionalText(labels.landingPage, pageUrl(labels.landingPage)),
  referrer: optionalText(labels.referrer, pageUrl(labels.referrer)),
};

/** What {@link normaliseAttribution} gives: every valid value, and one message per refused one. */
export interface AttributionResult {
  /** The attribution with each refused field left null. */
  value: NormalisedAttribution;
  /** Paths are `attribution.<field>`, as createLead's input names them. */
  fieldErrors: LeadFieldError[];
}

/**
 * Validates UTM parameters, landing page and referrer, the one path every channel's attribution
 * takes. createLead refuses input with field errors; channels whose values nobody can correct
 * (a page's hidden fields, an ad platform's ids) keep the valid fields and drop the rest.
 */
export function normaliseAttribution(
  raw: Partial<Record<keyof NormalisedAttribution, unknown>> | null | undefined,
): AttributionResult {
  const value = {} as NormalisedAttribution;
  const fieldErrors: LeadFieldError[] = [];
  for (const [name, rule] of Object.entries(attributionRules)) {
    const key = name as keyof NormalisedAttribution;
    const result = rule(raw?.[key]);
    value[key] = result.ok ? result.value : null;
    if (!result.ok) {
      const { message, translations } = result;
      fieldErrors.push({
        path: `attribution.${key}`,
        message,
        ...(translations && { translations }),
      });
    }
  }
  return { value, fieldErrors };
}
