import { describe, expect, it } from 'vitest';
import { bilingual, bilingualTemplate, catalogMessage, translationsOf } from './catalog.ts';

describe('the message catalog', () => {
  it('returns the English and finds its Portuguese again from it', () => {
    const message = bilingual('Catalog test: at least one', 'Teste do catálogo: pelo menos um');
    expect(message).toBe('Catalog test: at least one');
    expect(translationsOf(message)).toEqual({ 'pt-BR': 'Teste do catálogo: pelo menos um' });
  });

  it('knows nothing of messages never recorded', () => {
    expect(translationsOf('Catalog test: never recorded')).toBeUndefined();
  });

  it('accepts the same translation twice and refuses a different one', () => {
    bilingual('Catalog test: twice', 'Teste do catálogo: duas vezes');
    expect(() => bilingual('Catalog test: twice', 'Teste do catálogo: duas vezes')).not.toThrow();
    expect(() => bilingual('Catalog test: twice', 'Outra tradução')).toThrow(/translated twice/);
  });

  it('fills a template and translates the filled-in English with the same values', () => {
    const classChanged = bilingualTemplate<'status' | 'stage'>(
      'Catalog test: class {status} at stage {stage} (no. 1)',
      'Teste do catálogo: classe {status} na etapa {stage} (nº 1)',
    );
    const english = classChanged({ status: 'HOT', stage: 'NEW' });
    expect(english).toBe('Catalog test: class HOT at stage NEW (no. 1)');
    expect(translationsOf(english)).toEqual({
      'pt-BR': 'Teste do catálogo: classe HOT na etapa NEW (nº 1)',
    });
    // Stored text that only looks alike is not translated.
    expect(translationsOf('Catalog test: class HOT at stage NEW (no. 2)')).toBeUndefined();
  });
});

describe('catalogMessage', () => {
  it("words a stored English message in the reader's language", () => {
    const reason = bilingual('Catalog test: stored reason', 'Teste do catálogo: motivo guardado');
    expect(catalogMessage(reason, 'pt-BR')).toBe('Teste do catálogo: motivo guardado');
    expect(catalogMessage(reason, 'en')).toBe(reason);
    expect(catalogMessage('Catalog test: from elsewhere', 'pt-BR')).toBe(
      'Catalog test: from elsewhere',
    );
  });
});

describe('numbers in templates', () => {
  it('writes numbers the English way in English and the Brazilian way in Portuguese', () => {
    const band = bilingualTemplate<'min'>(
      'Catalog test: band ≥ {min}',
      'Teste do catálogo: faixa ≥ {min}',
    );
    const english = band({ min: 10_000.5 });
    expect(english).toBe('Catalog test: band ≥ 10,000.5');
    expect(catalogMessage(english, 'pt-BR')).toBe('Teste do catálogo: faixa ≥ 10.000,5');
    // Text that is not a number keeps its commas.
    const fields = bilingualTemplate<'list'>(
      'Catalog test: fields {list}',
      'Teste do catálogo: campos {list}',
    );
    expect(catalogMessage(fields({ list: 'name, email' }), 'pt-BR')).toBe(
      'Teste do catálogo: campos name, email',
    );
  });
});

describe('overlapping templates', () => {
  it('reads a message with the most specific template, whatever the order they were recorded in', () => {
    const general = bilingualTemplate<'fields'>(
      'Catalog test: lacks {fields}',
      'Teste: faltam {fields}',
    );
    const specific = bilingualTemplate<'a' | 'b'>(
      'Catalog test: lacks {a}; bad: {b}',
      'Teste: faltam {a}; ruins: {b}',
    );
    expect(catalogMessage(specific({ a: 'phone', b: 'email' }), 'pt-BR')).toBe(
      'Teste: faltam phone; ruins: email',
    );
    expect(catalogMessage(general({ fields: 'phone' }), 'pt-BR')).toBe('Teste: faltam phone');
  });
});
