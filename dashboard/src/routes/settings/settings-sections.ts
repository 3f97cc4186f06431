import type { MessageKey } from '$lib/i18n/pt-br';
import type { Permission } from '$lib/session/session.svelte';

/** One page of the settings area and what a person needs to see it. */
export interface SettingsSection {
  href: string;
  label: MessageKey;
  description: MessageKey;
  needs: Permission;
}

/**
 * Every settings page, in menu order. Managers change the scoring rules (rules:write); the rest
 * is for admins, as the API decides: it refuses the same operations to anyone else.
 */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  {
    href: '/settings/scoring',
    label: 'settings.nav.scoring',
    description: 'settings.nav.scoringDescription',
    needs: 'rules:write',
  },
  {
    href: '/settings/automations',
    label: 'settings.nav.automations',
    description: 'settings.nav.automationsDescription',
    needs: 'admin',
  },
  {
    href: '/settings/email',
    label: 'settings.nav.email',
    description: 'settings.nav.emailDescription',
    needs: 'admin',
  },
  {
    href: '/settings/remarketing',
    label: 'settings.nav.remarketing',
    description: 'settings.nav.remarketingDescription',
    needs: 'admin',
  },
  {
    href: '/settings/inbound',
    label: 'settings.nav.inbound',
    description: 'settings.nav.inboundDescription',
    needs: 'admin',
  },
  {
    href: '/settings/forms',
    label: 'settings.nav.forms',
    description: 'settings.nav.formsDescription',
    needs: 'admin',
  },
  {
    href: '/settings/users',
    label: 'settings.nav.users',
    description: 'settings.nav.usersDescription',
    needs: 'admin',
  },
  {
    href: '/settings/api-keys',
    label: 'settings.nav.apiKeys',
    description: 'settings.nav.apiKeysDescription',
    needs: 'admin',
  },
  {
    href: '/settings/audit',
    label: 'settings.nav.audit',
    description: 'settings.nav.auditDescription',
    needs: 'admin',
  },
];

/** The sections someone with these permissions may open. */
export function visibleSections(can: (permission: Permission) => boolean): SettingsSection[] {
  return SETTINGS_SECTIONS.filter((section) => can(section.needs));
}

/** The section a path belongs to (its own page or one below it); undefined for /settings itself. */
export function sectionOf(pathname: string): SettingsSection | undefined {
  return SETTINGS_SECTIONS.find(
    (section) => pathname === section.href || pathname.startsWith(`${section.href}/`),
  );
}
