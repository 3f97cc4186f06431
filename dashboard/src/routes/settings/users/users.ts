import type { CreateUserInput, UserRole } from '$lib/graphql/generated/graphql';

/** Every role, from the most to the least a person may do. */
export const USER_ROLES = ['ADMIN', 'MANAGER', 'SALES'] as const satisfies readonly UserRole[];

/** The new-user form as typed. */
export interface NewUserDraft {
  name: string;
  email: string;
  role: UserRole;
  password: string;
}

/** The fields of the new-user form, in the order they appear (the first refused one gets focus). */
export const NEW_USER_FIELDS = ['name', 'email', 'role', 'password'] as const;

/**
 * Sales is the least a new person can do: an admin raises it on purpose rather than forgetting
 * to lower it.
 */
export function emptyNewUser(): NewUserDraft {
  return { name: '', email: '', role: 'SALES', password: '' };
}

/** What createUser receives: names and emails trimmed, the password exactly as typed. */
export function newUserInput(draft: NewUserDraft): CreateUserInput {
  return {
    name: draft.name.trim(),
    email: draft.email.trim(),
    role: draft.role,
    password: draft.password,
  };
}

/** Where the API's messages for createUser go: known fields by name, the rest above the form. */
export function newUserErrors(fieldErrors: Record<string, string>): Record<string, string> {
  const known = new Set<string>(NEW_USER_FIELDS);
  const errors: Record<string, string> = {};
  const general: string[] = [];
  for (const [path, message] of Object.entries(fieldErrors)) {
    if (known.has(path)) errors[path] = message;
    else general.push(message);
  }
  if (general.length > 0) errors[''] = general.join(' ');
  return errors;
}
