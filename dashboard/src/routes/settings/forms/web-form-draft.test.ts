import { describe, expect, test } from 'vitest';
import type { WebFormFieldsFragment } from '$lib/graphql/generated/graphql';
import {
  createWebFormInput,
  emptyWebFormDraft,
  hasWebFormChanges,
  toWebFormDraft,
  updateWebFormInput,
} from './web-form-draft';

const saved: WebFormFieldsFragment = {
  id: '0190a0b0-0000-7000-8000-000000000001',
  name: 'Contato do site',
  slug: 'contato',
  path: '/forms/lead/contato',
  allowedOrigins: ['https://www.example.com', 'https://lp.example.com'],
  thankYouUrl: 'https://www.example.com/obrigado',
  errorUrl: null,
  defaultOrigin: 'SITE',
  defaultInterest: null,
  consentRequired: true,
  consentText: 'Aceito a política de privacidade.',
  consentTextVersion: 'privacidade-2026-03',
  updatedAt: '2026-11-29T12:00:00.000Z',
};

describe('web form draft', () => {
  test('holds a saved form as text, the sites one per line and blanks for nulls', () => {
    expect(toWebFormDraft(saved)).toEqual({
      name: 'Contato do site',
      slug: 'contato',
      allowedOrigins: 'https://www.example.com\nhttps://lp.example.com',
      thankYouUrl: 'https://www.example.com/obrigado',
      errorUrl: '',
      defaultOrigin: 'SITE',
      defaultInterest: '',
      consentRequired: true,
      consentText: 'Aceito a política de privacidade.',
      consentTextVersion: 'privacidade-2026-03',
    });
  });

  test('creates a form with every field, trimmed, and null for the blank ones', () => {
    const draft = {
      ...emptyWebFormDraft(),
      name: '  Landing page ',
      slug: ' lp-2026 ',
      allowedOrigins: '\n https://lp.example.com \n\nhttps://www.example.com\n',
      thankYouUrl: 'https://lp.example.com/obrigado ',
      defaultOrigin: 'META_ADS' as const,
      defaultInterest: '   ',
    };
    expect(createWebFormInput(draft)).toEqual({
      ok: true,
      input: {
        name: 'Landing page',
        slug: 'lp-2026',
        allowedOrigins: ['https://lp.example.com', 'https://www.example.com'],
        thankYouUrl: 'https://lp.example.com/obrigado',
        errorUrl: null,
        defaultOrigin: 'META_ADS',
        defaultInterest: null,
        consentRequired: false,
        consentText: null,
        consentTextVersion: null,
      },
    });
  });

  test('sends only the changed fields of a saved form, null to clear one', () => {
    const before = toWebFormDraft(saved);
    const draft = {
      ...before,
      name: 'Contato',
      allowedOrigins: 'https://www.example.com',
      thankYouUrl: '',
      errorUrl: 'https://www.example.com/contato',
      consentText: 'Aceito a nova política.',
      consentTextVersion: 'privacidade-2026-11',
    };
    expect(updateWebFormInput(before, draft)).toEqual({
      ok: true,
      input: {
        name: 'Contato',
        allowedOrigins: ['https://www.example.com'],
        thankYouUrl: null,
        errorUrl: 'https://www.example.com/contato',
        consentText: 'Aceito a nova política.',
        consentTextVersion: 'privacidade-2026-11',
      },
    });
  });

  test('sends the origin, the consent box and the slug when they change', () => {
    const before = toWebFormDraft(saved);
    expect(
      updateWebFormInput(before, {
        ...before,
        slug: 'fale-conosco',
        defaultOrigin: 'REFERRAL',
        consentRequired: false,
      }),
    ).toEqual({
      ok: true,
      input: { slug: 'fale-conosco', defaultOrigin: 'REFERRAL', consentRequired: false },
    });
  });

  test('sees no change in spaces, blank lines or a reordered nothing', () => {
    const before = toWebFormDraft(saved);
    const draft = {
      ...before,
      name: ' Contato do site ',
      allowedOrigins: '\nhttps://www.example.com \n\n https://lp.example.com\n',
      errorUrl: '  ',
    };
    expect(updateWebFormInput(before, draft)).toEqual({ ok: true, input: {} });
    expect(hasWebFormChanges(before, draft)).toBe(false);
    expect(hasWebFormChanges(before, { ...draft, defaultInterest: 'Apartamento' })).toBe(true);
  });
});
