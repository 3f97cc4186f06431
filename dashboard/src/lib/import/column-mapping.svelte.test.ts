import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { I18n } from '$lib/i18n/i18n.svelte';
import ColumnMapping from './ColumnMapping.svelte';
import RowErrors from './RowErrors.svelte';
import { suggestMapping, toMappingInput } from './column-mapping';

const header = ['Nome', 'Email', 'Telefone', 'Campanha'];

function renderMapping(locale: 'en' | 'pt-BR' = 'en', columns: readonly string[] = header) {
  // A $state proxy, as the page binds it: the component's changes show through it.
  const mapping = $state(suggestMapping(columns));
  const view = render(ColumnMapping, {
    props: { i18n: new I18n(locale), header: columns, mapping },
  });
  return { ...view, mapping };
}

const select = (label: string) => screen.getByLabelText(label) as HTMLSelectElement;

describe('ColumnMapping', () => {
  it('pre-fills each field with the column its header suggests', () => {
    renderMapping();
    expect(select('Name (required)').value).toBe('Nome');
    expect(select('Email (required)').value).toBe('Email');
    expect(select('Phone').value).toBe('Telefone');
    expect(select('City').value).toBe('');
    expect([...select('City').options].map((option) => option.textContent?.trim())).toEqual([
      '— do not import —',
      'Nome',
      'Email',
      'Telefone',
      'Campanha',
    ]);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('changes the mapping when another column is chosen', async () => {
    const { mapping } = renderMapping();
    await fireEvent.change(select('City'), { target: { value: 'Campanha' } });
    await fireEvent.change(select('Phone'), { target: { value: '' } });
    expect(toMappingInput(mapping)).toEqual({
      name: 'Nome',
      email: 'Email',
      city: 'Campanha',
      defaultOrigin: 'OTHER',
    });
  });

  it('asks for a column for each required field left unmapped, in the page language', async () => {
    renderMapping('pt-BR', ['Cliente', 'Contato WhatsApp']);
    expect(screen.getByRole('alert').textContent).toContain('Escolha uma coluna para: E-mail.');
    expect(select('E-mail (obrigatório)').getAttribute('aria-invalid')).toBe('true');

    await fireEvent.change(select('E-mail (obrigatório)'), {
      target: { value: 'Contato WhatsApp' },
    });
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('offers a default origin only while no column gives the origin', async () => {
    const { mapping } = renderMapping();
    await fireEvent.change(select('Origin of rows without one'), { target: { value: 'REFERRAL' } });
    expect(mapping.defaultOrigin).toBe('REFERRAL');

    await fireEvent.change(select('Origin'), { target: { value: 'Campanha' } });
    expect(screen.queryByLabelText('Origin of rows without one')).toBeNull();
  });
});

describe('RowErrors', () => {
  const mapping = suggestMapping(header);
  const errors = Array.from({ length: 25 }, (_, index) => ({
    row: index + 2,
    path: index % 2 ? 'phone' : 'email',
    message: `Problem ${index + 2}`,
  }));

  it('lists each error with its row and column, a page at a time', async () => {
    const { container } = render(RowErrors, {
      props: { i18n: new I18n('en'), errors, mapping, cap: 1_000 },
    });
    const rows = () =>
      [...container.querySelectorAll('tbody tr')].map((row) =>
        [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()),
      );
    expect(rows()).toHaveLength(20);
    expect(rows()[0]).toEqual(['2', 'Email (Email)', 'Problem 2']);
    expect(rows()[1]).toEqual(['3', 'Telefone (Phone)', 'Problem 3']);
    expect(screen.getByText('Errors 1–20 of 25')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(rows()).toHaveLength(5);
    expect(rows()[0]?.[0]).toBe('22');
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('says when the API left errors out', () => {
    render(RowErrors, { props: { i18n: new I18n('en'), errors, mapping, cap: 25 } });
    expect(screen.getByText('Showing the first 25 errors.')).toBeTruthy();
  });
});
