import { describe, expect, test } from 'vitest';
import { readExportResponse, remarketingExportFileName } from './remarketing-export';

describe('remarketing export', () => {
  test('names the file after the audience and the day it was taken', () => {
    expect(remarketingExportFileName('cold-leads', new Date('2026-03-05T23:59:00Z'))).toBe(
      'remarketing-cold-leads-2026-03-05.csv',
    );
  });

  test('keeps the CSV of a successful download', async () => {
    const csv = 'Email,Phone\r\n' + `${'a'.repeat(64)},${'b'.repeat(64)}\r\n`;
    const download = await readExportResponse(
      new Response(csv, { status: 200, headers: { 'content-type': 'text/csv' } }),
    );
    expect(download.ok).toBe(true);
    expect(download.ok && (await download.csv.text())).toBe(csv);
  });

  test('gives the status and the API’s words when the link is refused', async () => {
    expect(
      await readExportResponse(
        new Response('This download link is not valid or has expired\n', { status: 401 }),
      ),
    ).toEqual({ ok: false, reason: '401 This download link is not valid or has expired' });
    expect(await readExportResponse(new Response('', { status: 503 }))).toEqual({
      ok: false,
      reason: '503',
    });
  });
});
