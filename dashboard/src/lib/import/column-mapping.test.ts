import { describe, expect, it } from 'vitest';
import {
  MAX_IMPORT_BYTES,
  importFileProblem,
  missingRequiredFields,
  readCsvHeader,
  suggestMapping,
  toMappingInput,
} from './column-mapping';

const csv = (text: string) => new Blob([text], { type: 'text/csv' });

describe('readCsvHeader', () => {
  it('reads a comma-separated header with quoted names', async () => {
    expect(await readCsvHeader(csv('Nome,"E-mail, principal",Telefone\nAna,a@x.com,11\n'))).toEqual(
      ['Nome', 'E-mail, principal', 'Telefone'],
    );
  });

  it('splits on semicolons when the header has more of them, as Brazilian Excel writes', async () => {
    expect(await readCsvHeader(csv('\uFEFFNome;E-mail;Renda\r\nAna;a@x.com;1.500,00\r\n'))).toEqual(
      ['Nome', 'E-mail', 'Renda'],
    );
  });

  it('lists a repeated header once and drops blank ones', async () => {
    expect(await readCsvHeader(csv(' name ,email,,email\n'))).toEqual(['name', 'email']);
  });

  it('finds no columns in an empty file', async () => {
    expect(await readCsvHeader(csv('\n\n'))).toEqual([]);
  });
});

describe('suggestMapping', () => {
  it('maps Portuguese and English headers whatever their case and accents', () => {
    const mapping = suggestMapping([
      'Nome completo',
      'E-mail',
      'Celular',
      'Cidade',
      'Renda mensal',
      'Observações',
      'Interesse',
      'Origem',
      'Campanha',
    ]);
    expect(mapping.columns).toEqual({
      name: 'Nome completo',
      email: 'E-mail',
      phone: 'Celular',
      origin: 'Origem',
      interest: 'Interesse',
      approximateIncome: 'Renda mensal',
      city: 'Cidade',
      notes: 'Observações',
    });
    expect(mapping.defaultOrigin).toBe('OTHER');
  });

  it('leaves unknown columns unmapped and gives a column to one field only', () => {
    const mapping = suggestMapping(['phone', 'whatsapp', 'campaign']);
    expect(mapping.columns.phone).toBe('phone');
    expect(Object.values(mapping.columns).filter((column) => column !== '')).toEqual(['phone']);
    expect(missingRequiredFields(mapping)).toEqual(['name', 'email']);
  });
});

describe('toMappingInput', () => {
  it('sends only the mapped fields, with the default origin', () => {
    const mapping = suggestMapping(['name', 'email', 'city']);
    mapping.defaultOrigin = 'REFERRAL';
    expect(toMappingInput(mapping)).toEqual({
      name: 'name',
      email: 'email',
      city: 'city',
      defaultOrigin: 'REFERRAL',
    });
  });
});

describe('importFileProblem', () => {
  it('accepts a CSV and refuses other, empty or too large files', () => {
    expect(importFileProblem({ name: 'leads.csv', type: '', size: 10 })).toBeUndefined();
    expect(importFileProblem({ name: 'export', type: 'text/csv', size: 10 })).toBeUndefined();
    expect(
      importFileProblem({ name: 'leads.xlsx', type: 'application/vnd.ms-excel', size: 10 }),
    ).toBe('notCsv');
    expect(importFileProblem({ name: 'leads.csv', type: 'text/csv', size: 0 })).toBe('empty');
    expect(
      importFileProblem({ name: 'leads.csv', type: 'text/csv', size: MAX_IMPORT_BYTES + 1 }),
    ).toBe('tooLarge');
  });
});
