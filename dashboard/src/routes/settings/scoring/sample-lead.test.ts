import { describe, expect, test } from 'vitest';
import { DOCUMENTED_SAMPLE, previewInput } from './sample-lead';

describe('sample lead', () => {
  test('sends every filled field of the documented example', () => {
    expect(previewInput(DOCUMENTED_SAMPLE)).toEqual({
      name: 'Maria Souza',
      email: 'maria.souza@example.com',
      phone: '11 98765-4321',
      origin: 'SITE',
      city: 'São Paulo',
      approximateIncome: '15000',
      interest: 'Apartamento para investimento',
    });
  });

  test('leaves out blank fields, which the API reads as missing', () => {
    expect(
      previewInput({
        ...DOCUMENTED_SAMPLE,
        phone: '  ',
        origin: '',
        interest: '',
        city: ' Santos ',
      }),
    ).toEqual({
      name: 'Maria Souza',
      email: 'maria.souza@example.com',
      city: 'Santos',
      approximateIncome: '15000',
    });
  });
});
