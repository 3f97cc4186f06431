import { describe, expect, it } from 'vitest';
import { createFormatters } from './format';

// Intl separates the currency symbol with a no-break space, so "R$" never wraps alone.
const NBSP = '\u00a0';

describe('createFormatters', () => {
  it('prints BRL as R$ 1.234,56 in pt-BR', () => {
    expect(createFormatters('pt-BR').currency(1234.56)).toBe(`R$${NBSP}1.234,56`);
  });

  it('prints BRL in English notation in English', () => {
    expect(createFormatters('en').currency(1234.56)).toBe('R$1,234.56');
  });

  it('prints dates in America/Sao_Paulo by default', () => {
    // 02:30 UTC on 15 January is still 14 January, 23:30, in São Paulo (UTC-3).
    const instant = '2025-01-15T02:30:00Z';
    expect(createFormatters('pt-BR').date(instant)).toBe('14/01/2025');
    expect(createFormatters('pt-BR').dateTime(instant)).toBe('14/01/2025, 23:30');
    expect(createFormatters('en').dateTime(new Date(instant))).toBe('1/14/25, 11:30 PM');
  });

  it('prints dates in another time zone when asked', () => {
    expect(createFormatters('pt-BR', 'UTC').dateTime('2025-01-15T02:30:00Z')).toBe(
      '15/01/2025, 02:30',
    );
  });

  it('groups numbers and percentages per locale', () => {
    expect(createFormatters('pt-BR').number(1234567.5)).toBe('1.234.567,5');
    expect(createFormatters('en').number(1234567.5)).toBe('1,234,567.5');
    expect(createFormatters('pt-BR').percent(0.125)).toBe('12,5%');
  });

  it('prints day-month and time-of-day axis labels in America/Sao_Paulo', () => {
    const instant = '2025-01-15T02:30:00Z';
    expect(createFormatters('pt-BR').dayMonth(instant)).toBe('14/01');
    expect(createFormatters('en').dayMonth(instant)).toBe('01/14');
    expect(createFormatters('pt-BR').time(instant)).toBe('23:30');
    expect(createFormatters('en').time(instant)).toBe('11:30 PM');
    expect(createFormatters('pt-BR').time('2025-01-15T12:00:00Z')).toBe('09:00');
  });

  it('signs changes except zero', () => {
    const ptBR = createFormatters('pt-BR');
    expect(ptBR.signedNumber(1234)).toBe('+1.234');
    expect(ptBR.signedNumber(-5)).toBe('-5');
    expect(ptBR.signedNumber(0)).toBe('0');
    expect(ptBR.signedPercent(0.125)).toBe('+12,5%');
    expect(createFormatters('en').signedPercent(-0.5)).toBe('-50%');
  });

  it('joins lists with the language conjunction', () => {
    expect(createFormatters('pt-BR').list(['Quente: 1', 'Morno: 2', 'Frio: 3'])).toBe(
      'Quente: 1, Morno: 2 e Frio: 3',
    );
    expect(createFormatters('en').list(['Hot: 1', 'Warm: 2', 'Cold: 3'])).toBe(
      'Hot: 1, Warm: 2, and Cold: 3',
    );
  });

  it('words a wait in seconds under a minute and in whole minutes, rounded up, beyond', () => {
    expect(createFormatters('pt-BR').waitTime(45)).toBe('45 segundos');
    expect(createFormatters('pt-BR').waitTime(1)).toBe('1 segundo');
    expect(createFormatters('pt-BR').waitTime(900)).toBe('15 minutos');
    expect(createFormatters('en').waitTime(61)).toBe('2 minutes');
    expect(createFormatters('en').waitTime(0.2)).toBe('1 second');
  });
});
