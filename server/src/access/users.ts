import { z } from 'zod';
import type { PrismaClient } from '../db.ts';
import type { UserRole } from '../generated/prisma/enums.ts';
import { bilingual } from '../localization/catalog.ts';
import type { Logger } from '../logger.ts';
import { hashPassword, minPasswordLength } from './passwords.ts';

export const newUserSchema = z.object({
  email: z
    .email(bilingual('Enter a valid email address', 'Informe um e-mail válido'))
    .max(255)
    .transform((email) => email.toLowerCase()),
  name: z.string().trim().min(1, bilingual('Name is required', 'Informe o nome')).max(255),
  role: z.enum(['ADMIN', 'MANAGER', 'SALES']),
  password: z
    .string()
    .min(
      minPasswordLength,
      bilingual(
        `Use at least ${minPasswordLength} characters`,
        `Use pelo menos ${minPasswordLength} caracteres`,
      ),
    )
    .max(256, bilingual('Use at most 256 characters', 'Use no máximo 256 caracteres')),
});

export type NewUser = z.input<typeof newUserSchema>;

export class EmailTakenError extends Error {
  override name = 'EmailTakenError';
}

export async function createUser(prisma: Pick<PrismaClient, 'user'>, input: NewUser) {
  const user = newUserSchema.parse(input);
  const existing = await prisma.user.findUnique({ where: { email: user.email } });
  if (existing) throw new EmailTakenError(`A user with email ${user.email} exists.`);
  return prisma.user.create({
    data: {
      email: user.email,
      name: user.name,
      role: user.role satisfies UserRole,
      passwordHash: await hashPassword(user.password),
    },
  });
}

/**
 * Creates the first admin from STREAMLEADS_ADMIN_EMAIL / STREAMLEADS_ADMIN_PASSWORD when no user
 * exists. Several instances starting at once race to create the same email: the unique index lets
 * one win and the others find a user and do nothing.
 */
export async function ensureFirstAdmin(
  prisma: PrismaClient,
  admin: { email?: string; password?: string },
  logger: Logger,
): Promise<void> {
  if ((await prisma.user.count()) > 0) return;
  if (!admin.email || !admin.password) {
    logger.warn(
      'No user exists: set STREAMLEADS_ADMIN_EMAIL and STREAMLEADS_ADMIN_PASSWORD, or run `pnpm user:create --role ADMIN`',
    );
    return;
  }
  try {
    await createUser(prisma, {
      email: admin.email,
      name: 'Admin',
      role: 'ADMIN',
      password: admin.password,
    });
    logger.info('created the first admin from STREAMLEADS_ADMIN_EMAIL');
  } catch (error) {
    if ((await prisma.user.count()) === 0) throw error;
  }
}
