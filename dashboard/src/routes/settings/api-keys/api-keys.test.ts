import { describe, expect, test } from 'vitest';
import { emptyNewApiKey, newApiKeyErrors, newApiKeyInput, parseOrigins } from './api-keys';

describe('new API key form', () => {
  test('reads one origin per line and ignores blank lines, commas and spaces', () => {
    expect(
      parseOrigins('https://www.example.com\n\n  https://lp.example.com ,https://a.example\n'),
    ).toEqual(['https://www.example.com', 'https://lp.example.com', 'https://a.example']);
    expect(parseOrigins('  \n ')).toEqual([]);
  });

  test('sends the trimmed name, the scopes in form order and the origins', () => {
    expect(
      newApiKeyInput({
        name: '  Site form ',
        scopes: ['LEADS_READ', 'LEADS_CREATE'],
        origins: 'https://www.example.com',
      }),
    ).toEqual({
      name: 'Site form',
      scopes: ['LEADS_CREATE', 'LEADS_READ'],
      allowedOrigins: ['https://www.example.com'],
    });
    expect(newApiKeyInput(emptyNewApiKey())).toEqual({ name: '', scopes: [], allowedOrigins: [] });
  });

  test('names the refused origin under the origins field', () => {
    expect(
      newApiKeyErrors(
        [
          { path: 'name', message: 'Name is required' },
          { path: 'allowedOrigins.1', message: 'Enter an origin like https://www.example.com' },
          { path: 'allowedOrigins', message: 'At most 20 origins' },
          { path: '', message: 'Try again' },
        ],
        ['https://ok.example', 'ftp://bad.example'],
      ),
    ).toEqual({
      name: 'Name is required',
      allowedOrigins:
        'ftp://bad.example: Enter an origin like https://www.example.com At most 20 origins',
      '': 'Try again',
    });
  });
});
