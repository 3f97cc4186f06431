import { describe, expect, test } from 'vitest';
import { changedInput, payloadEntries, toDraft } from './lead-form';

const saved = toDraft({
  name: 'Ana Souza',
  email: 'ana@example.com',
  phone: '+5511999999999',
  city: null,
  origin: 'SITE',
  approximateIncome: '15000',
  interest: null,
  notes: 'Ligar à tarde',
});

describe('lead form', () => {
  test('sends nothing when nothing changed', () => {
    expect(changedInput(saved, { ...saved })).toEqual({});
  });

  test('sends only the changed fields, trimmed, and "" to clear one', () => {
    expect(
      changedInput(saved, { ...saved, phone: ' 11 98888-7777 ', notes: '', origin: 'REFERRAL' }),
    ).toEqual({ phone: '11 98888-7777', notes: '', origin: 'REFERRAL' });
  });

  test('lists a payload as key/value rows', () => {
    expect(payloadEntries({ name: 'Ana', income: 15000, tags: ['a'], city: null })).toEqual([
      ['name', 'Ana'],
      ['income', '15000'],
      ['tags', '["a"]'],
      ['city', '—'],
    ]);
    expect(payloadEntries('raw')).toEqual([['', '"raw"']]);
  });
});
