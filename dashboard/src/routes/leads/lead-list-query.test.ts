import { describe, expect, test } from 'vitest';
import { filterFormParams, pageParams, parseLeadListQuery } from './lead-list-query';

describe('parseLeadListQuery', () => {
  test('reads every filter from the URL', () => {
    const query = parseLeadListQuery(
      new URLSearchParams(
        'status=HOT&status=WARM&origin=SITE&origin=WHATSAPP&city=Campinas&q=ana&from=2026-11-01&to=2026-11-30&scoreMin=10&scoreMax=90&followUp=due&sort=score-desc',
      ),
    );
    expect(query.filter).toEqual({
      status: ['HOT', 'WARM'],
      origin: ['SITE', 'WHATSAPP'],
      city: 'Campinas',
      search: 'ana',
      createdFrom: '2026-11-01T00:00:00-03:00',
      createdTo: '2026-12-01T00:00:00-03:00',
      scoreMin: 10,
      scoreMax: 90,
      followUpDue: true,
    });
    expect(query.orderBy).toEqual({ field: 'SCORE', direction: 'DESC' });
  });

  test('leaves out unknown and malformed values', () => {
    const query = parseLeadListQuery(
      new URLSearchParams(
        'status=LUKEWARM&origin=TV&from=yesterday&scoreMin=ten&sort=random&followUp=maybe',
      ),
    );
    expect(query.filter).toEqual({});
    expect(query.sort).toBe('created-desc');
    expect(query.orderBy).toEqual({ field: 'CREATED_AT', direction: 'DESC' });
  });

  test('reads one cursor, preferring after', () => {
    expect(parseLeadListQuery(new URLSearchParams('after=a&before=b'))).toMatchObject({
      after: 'a',
    });
    expect(parseLeadListQuery(new URLSearchParams('after=a&before=b')).before).toBeUndefined();
    expect(parseLeadListQuery(new URLSearchParams('before=b'))).toMatchObject({ before: 'b' });
  });

  test('reads the pipeline filters: stages, an owner, nobody, my leads', () => {
    const owner = '0190f5d2-7c1e-7000-8000-000000000001';
    expect(
      parseLeadListQuery(new URLSearchParams(`stage=CONTACTED&stage=WON&owner=${owner}&mine=1`))
        .filter,
    ).toEqual({ stage: ['CONTACTED', 'WON'], ownerIds: [owner], mine: true });
    expect(parseLeadListQuery(new URLSearchParams('owner=none')).filter).toEqual({
      assigned: false,
    });
    expect(
      parseLeadListQuery(new URLSearchParams('stage=CLOSED&owner=ana&mine=yes')).filter,
    ).toEqual({});
  });

  test('reads followUp=not-due as leads without a due follow-up', () => {
    expect(parseLeadListQuery(new URLSearchParams('followUp=not-due')).filter).toEqual({
      followUpDue: false,
    });
  });
});

describe('filterFormParams', () => {
  test('drops empty fields, the default sort and the page position', () => {
    const form = new FormData();
    form.append('q', '  ');
    form.append('status', 'HOT');
    form.append('status', 'COLD');
    form.append('city', ' Santos ');
    form.append('sort', 'created-desc');
    form.append('after', 'cursor');
    expect(filterFormParams(form).toString()).toBe('status=HOT&status=COLD&city=Santos');
  });
});

describe('pageParams', () => {
  test('replaces the cursor and keeps the filters', () => {
    const current = new URLSearchParams('status=HOT&before=old');
    expect(pageParams(current, { after: 'next' }).toString()).toBe('status=HOT&after=next');
    expect(pageParams(current, { before: 'prev' }).toString()).toBe('status=HOT&before=prev');
  });
});
