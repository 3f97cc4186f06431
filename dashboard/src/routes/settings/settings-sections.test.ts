import { describe, expect, test } from 'vitest';
import type { Permission } from '$lib/session/session.svelte';
import { sectionOf, visibleSections } from './settings-sections';

const having =
  (...permissions: Permission[]) =>
  (permission: Permission) =>
    permissions.includes(permission);

describe('settings sections', () => {
  test('shows an admin every section', () => {
    expect(visibleSections(having('rules:write', 'admin')).map((section) => section.href)).toEqual([
      '/settings/scoring',
      '/settings/automations',
      '/settings/email',
      '/settings/remarketing',
      '/settings/inbound',
      '/settings/forms',
      '/settings/users',
      '/settings/api-keys',
      '/settings/audit',
    ]);
  });

  test('shows a manager only the scoring rules', () => {
    expect(
      visibleSections(having('leads:read', 'leads:write', 'rules:write')).map(
        (section) => section.href,
      ),
    ).toEqual(['/settings/scoring']);
  });

  test('shows a sales user nothing', () => {
    expect(visibleSections(having('leads:read', 'pipeline:write'))).toEqual([]);
  });

  test('finds the section of a page and of the pages below it', () => {
    expect(sectionOf('/settings/email')?.needs).toBe('admin');
    expect(sectionOf('/settings/scoring')?.needs).toBe('rules:write');
    expect(sectionOf('/settings/users/42')?.href).toBe('/settings/users');
    expect(sectionOf('/settings')).toBeUndefined();
    expect(sectionOf('/settings/emails')).toBeUndefined();
  });
});
