import { z } from 'zod';
import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { AppError, fieldErrorsOf, ValidationError } from '../errors.ts';
import { ErrorInterface } from '../errors.schema.ts';
import { publishEvent } from '../events.ts';
import type { Prisma, User } from '../generated/prisma/client.ts';
import { bilingual } from '../localization/catalog.ts';
import { createApiKey } from './api-keys.ts';
import { recordAudit } from './audit.ts';
import { decoyPasswordHash, hashPassword, minPasswordLength, verifyPassword } from './passwords.ts';
import { allPermissions, apiKeyScopes, rolePermissions, type ApiKeyScope } from './permissions.ts';
import type { Principal } from './principal.ts';
import { startSession } from './sessions.ts';
import { newUserSchema } from './users.ts';

export class InvalidCredentialsError extends AppError {
  override name = 'InvalidCredentialsError';
  constructor() {
    // One message for unknown email, wrong password and disabled user: no account enumeration.
    super('Email or password is wrong.', { 'pt-BR': 'E-mail ou senha incorretos.' });
  }
}

export class UserNotFoundError extends AppError {
  override name = 'UserNotFoundError';
  constructor(id: string) {
    super(`No user with id ${id}.`, { 'pt-BR': `Nenhum usuário tem o id ${id}.` });
  }
}

export class ApiKeyNotFoundError extends AppError {
  override name = 'ApiKeyNotFoundError';
  constructor(id: string) {
    super(`No API key with id ${id}.`, { 'pt-BR': `Nenhuma chave de API tem o id ${id}.` });
  }
}

for (const [error, description] of [
  [InvalidCredentialsError, 'The email or password is wrong (which one is not said).'],
  [UserNotFoundError, 'No user has this id.'],
  [ApiKeyNotFoundError, 'No API key has this id.'],
] as const) {
  builder.objectType(error, { name: error.name, description, interfaces: [ErrorInterface] });
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const UserRoleEnum = builder.enumType('UserRole', {
  description: 'What a person may do.',
  values: {
    ADMIN: { description: 'Everything: settings, users, API keys, audit log, LGPD requests.' },
    MANAGER: { description: 'Leads (read, change, delete) and scoring rules.' },
    SALES: { description: "Read leads and work the pipeline: a lead's status, notes, follow-up." },
  } as const,
});

const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', {
  description: 'What an API key may do.',
  values: {
    LEADS_CREATE: {
      value: 'leads:create',
      description:
        'createLead only: a publishable key for browser forms, limited per visitor address and to its allowed origins.',
    },
    LEADS_READ: { value: 'leads:read', description: 'Read leads, stats, runs and rules.' },
    LEADS_WRITE: {
      value: 'leads:write',
      description:
        'Create, read, change, delete and rescore leads; retry runs (for servers such as n8n).',
    },
    ADMIN: { value: 'admin', description: 'Everything an admin may do.' },
  } as const satisfies Record<string, { value: ApiKeyScope; description: string }>,
});

builder.prismaObject('User', {
  description: 'A staff member who signs in to the dashboard.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The user id.' }),
    email: t.exposeString('email', { description: 'Sign-in email, lower-case.' }),
    name: t.exposeString('name', { description: 'Name shown in the dashboard and records.' }),
    role: t.expose('role', { type: UserRoleEnum, description: 'What they may do.' }),
    disabled: t.boolean({
      description: 'true when they can no longer sign in.',
      resolve: (user) => user.disabledAt !== null,
    }),
    lastSignInAt: t.expose('lastSignInAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Their last successful sign-in.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

builder.prismaObject('ApiKey', {
  description: 'A key for machines (forms, n8n, scripts). The key itself is shown only once.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The key id.' }),
    name: t.exposeString('name', { description: 'What it is for, e.g. "Site form".' }),
    prefix: t.exposeString('prefix', { description: 'Its first characters, to tell keys apart.' }),
    scopes: t.field({
      type: [ApiKeyScopeEnum],
      description: 'What it may do.',
      // The database CHECK keeps every stored scope within the enum.
      resolve: (key) => key.scopes as ApiKeyScope[],
    }),
    allowedOrigins: t.exposeStringList('allowedOrigins', {
      description:
        'Browser origins that may use it; a browser request from another origin is refused. Empty: servers only.',
    }),
    createdBy: t.relation('createdBy', { nullable: true, description: 'The admin who made it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Its last use (updated at most once a minute).',
    }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was revoked; it stopped working at that moment.',
    }),
  }),
});

builder.prismaObject('AuditEvent', {
  description: 'Who did what, when. Holds ids, never personal data of leads.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The entry id.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    actorKind: t.exposeString('actorKind', {
      description: 'user, api-key, system or anonymous.',
    }),
    actorId: t.exposeID('actorId', { nullable: true, description: 'The user or key id.' }),
    actorLabel: t.exposeString('actorLabel', {
      nullable: true,
      description: "The user's email or the key's name, as they were then.",
    }),
    action: t.exposeString('action', {
      description: 'What was done, e.g. auth.sign-in, api-key.revoke, lead.erase.',
    }),
    targetType: t.exposeString('targetType', {
      nullable: true,
      description: 'What it was done to: user, api-key, lead, settings, rule-set.',
    }),
    targetId: t.exposeString('targetId', { nullable: true, description: 'Its id.' }),
    details: t.expose('details', {
      type: 'JSON',
      nullable: true,
      description: 'What changed: setting names, scopes, counts.',
    }),
    ip: t.exposeString('ip', { nullable: true, description: 'The address it came from.' }),
  }),
});

const ViewerKindEnum = builder.enumType('ViewerKind', {
  description: 'How the caller identified itself.',
  values: {
    USER: { value: 'user', description: 'A signed-in person (session cookie).' },
    API_KEY: { value: 'api-key', description: 'An API key.' },
    ANONYMOUS: { value: 'anonymous', description: 'No credentials.' },
  } as const,
});

const Viewer = builder.objectRef<Context['principal']>('Viewer').implement({
  description: 'Who is calling and what they may do.',
  fields: (t) => ({
    kind: t.field({
      type: ViewerKindEnum,
      description: 'Person, key or nobody.',
      resolve: (principal) => principal.kind,
    }),
    user: t.prismaField({
      type: 'User',
      nullable: true,
      description: 'The signed-in person.',
      resolve: (query, principal, _args, ctx) =>
        principal.kind === 'user'
          ? ctx.prisma.user.findUnique({ ...query, where: { id: principal.userId } })
          : null,
    }),
    permissions: t.stringList({
      description: `What the caller may do, from: ${allPermissions.join(', ')}.`,
      resolve: (principal) =>
        principal.kind === 'anonymous'
          ? []
          : allPermissions.filter((permission) => principal.permissions.has(permission)),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    authScopes: { public: true },
    type: Viewer,
    description: 'Who is calling: the dashboard reads it to know whether to show sign-in.',
    resolve: (_root, _args, ctx) => ctx.principal,
  }),
  users: t.prismaField({
    authScopes: { permission: 'admin' },
    type: ['User'],
    description: 'Every user, by name.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.user.findMany({ ...query, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
  }),
  apiKeys: t.prismaField({
    authScopes: { permission: 'admin' },
    type: ['ApiKey'],
    description: 'Every API key, newest first, revoked ones included.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.apiKey.findMany({ ...query, orderBy: { id: 'desc' } }),
  }),
}));

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  description: 'Which audit entries to list; every given field must match.',
  fields: (t) => ({
    action: t.string({ description: 'Only this action, e.g. auth.sign-in-failed.' }),
    actorId: t.id({ description: 'Only what this user or key did.' }),
    targetId: t.string({ description: 'Only what was done to this id (e.g. a lead).' }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.prismaConnection(
    {
      authScopes: { permission: 'admin' },
      type: 'AuditEvent',
      cursor: 'id',
      defaultSize: 50,
      maxSize: 200,
      description: 'The audit log, newest first (50 per page by default, at most 200).',
      args: {
        filter: t.arg({ type: AuditEventFilter, required: false, description: 'Filters.' }),
      },
      resolve: (query, _root, args, ctx) => {
        const actorId = args.filter?.actorId == null ? undefined : String(args.filter.actorId);
        if (actorId !== undefined && !uuid.test(actorId)) return [];
        const where: Prisma.AuditEventWhereInput = {
          ...(args.filter?.action ? { action: args.filter.action } : {}),
          ...(actorId ? { actorId } : {}),
          ...(args.filter?.targetId ? { targetId: args.filter.targetId } : {}),
        };
        // Ids are UUIDv7: their order is the order the entries were written.
        return ctx.prisma.auditEvent.findMany({ ...query, where, orderBy: { id: 'desc' } });
      },
    },
    {
      name: 'AuditEventConnection',
      description: 'A page of the audit log.',
      edgesField: { description: 'The entries of this page, newest first.' },
    },
    {
      name: 'AuditEventEdge',
      description: 'An audit entry and its cursor.',
      nodeField: { description: 'The entry.' },
    },
  ),
);

const SignInPayload = builder.objectRef<{ userId: string }>('SignInPayload').implement({
  description: 'A started session: the cookie is set on this response.',
  fields: (t) => ({
    user: t.prismaField({
      type: 'User',
      description: 'Who signed in.',
      resolve: (query, payload, _args, ctx) =>
        ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: payload.userId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  signIn: t.field({
    authScopes: { public: true },
    type: SignInPayload,
    description:
      'Starts a session and sets its httpOnly cookie. After too many failures for one email, every attempt for it is refused with RATE_LIMITED (and Retry-After) until the lockout ends. Select `... on SignInPayload { user { name role } }` and `... on Error { message }`.',
    errors: {
      types: [InvalidCredentialsError, ValidationError],
      directResult: true,
      union: { description: 'The session, or why sign-in failed.' },
    },
    args: {
      email: t.arg.string({ required: true, description: 'The account email.' }),
      password: t.arg.string({ required: true, description: 'The password.' }),
    },
    resolve: async (_root, args, ctx) => {
      const email = args.email.trim().toLowerCase().slice(0, 255);
      await ctx.access.countSignInAttempt(email);
      const user = await ctx.prisma.user.findUnique({ where: { email } });
      const passwordMatches = await verifyPassword(
        user?.passwordHash ?? (await decoyPasswordHash),
        args.password.slice(0, 256),
      );
      if (!user || !passwordMatches || user.disabledAt) {
        await recordAudit(ctx.prisma, ctx, {
          action: 'auth.sign-in-failed',
          details: {
            email,
            reason: !user ? 'unknown-email' : user.disabledAt ? 'disabled' : 'password',
          },
        });
        throw new InvalidCredentialsError();
      }
      await ctx.access.clearSignInFailures(email);
      const session = await startSession(ctx.prisma, user.id, {
        ip: ctx.ip,
        userAgent: ctx.request?.headers.get('user-agent') ?? null,
      });
      await ctx.prisma.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
      await recordAudit(
        ctx.prisma,
        { ip: ctx.ip, principal: signedInPrincipal(user, session.sessionId) },
        { action: 'auth.sign-in', target: { type: 'user', id: user.id } },
      );
      ctx.setSessionCookie(session.token);
      return { userId: user.id };
    },
  }),
  signOut: t.boolean({
    authScopes: { signedIn: true },
    description: 'Ends this session (on every instance at once) and clears its cookie.',
    resolve: async (_root, _args, ctx) => {
      if (ctx.principal.kind !== 'user') return false;
      const { sessionId } = ctx.principal;
      await ctx.prisma.$transaction(async (tx) => {
        await tx.session.update({ where: { id: sessionId }, data: { revokedAt: new Date() } });
        await recordAudit(tx, ctx, { action: 'auth.sign-out' });
        await publishEvent(tx, { type: 'access.revoked', subject: 'session', id: sessionId });
      });
      ctx.setSessionCookie(null);
      return true;
    },
  }),
}));

const ChangePasswordPayload = builder
  .objectRef<{ endedSessions: number }>('ChangePasswordPayload')
  .implement({
    description: 'The password was changed.',
    fields: (t) => ({
      endedSessions: t.exposeInt('endedSessions', {
        description: 'Other sessions of this user that were ended (this one stays).',
      }),
    }),
  });

builder.mutationField('changePassword', (t) =>
  t.field({
    authScopes: { signedIn: true },
    type: ChangePasswordPayload,
    description:
      "Changes the signed-in person's password and ends their other sessions. Select `... on ChangePasswordPayload { endedSessions }` and `... on Error { message }`.",
    errors: {
      types: [InvalidCredentialsError, ValidationError],
      directResult: true,
      union: { description: 'Done, or why not.' },
    },
    args: {
      currentPassword: t.arg.string({ required: true, description: 'The password now.' }),
      newPassword: t.arg.string({
        required: true,
        description: `The new password: ${minPasswordLength} to 256 characters.`,
      }),
    },
    resolve: async (_root, args, ctx) => {
      if (ctx.principal.kind !== 'user') throw new InvalidCredentialsError();
      const { userId, sessionId } = ctx.principal;
      const parsed = newUserSchema.shape.password.safeParse(args.newPassword);
      if (!parsed.success) {
        throw new ValidationError(fieldErrorsOf(parsed.error.issues, 'newPassword'));
      }
      const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: userId } });
      if (!(await verifyPassword(user.passwordHash, args.currentPassword))) {
        throw new InvalidCredentialsError();
      }
      const passwordHash = await hashPassword(parsed.data);
      const ended = await ctx.prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: userId }, data: { passwordHash } });
        const others = await tx.session.findMany({
          where: { userId, revokedAt: null, id: { not: sessionId } },
          select: { id: true },
        });
        await tx.session.updateMany({
          where: { id: { in: others.map((session) => session.id) } },
          data: { revokedAt: new Date() },
        });
        for (const session of others) {
          await publishEvent(tx, { type: 'access.revoked', subject: 'session', id: session.id });
        }
        await recordAudit(tx, ctx, {
          action: 'auth.password-change',
          target: { type: 'user', id: userId },
          details: { endedSessions: others.length },
        });
        return others.length;
      });
      return { endedSessions: ended };
    },
  }),
);

const CreateUserInput = builder.inputType('CreateUserInput', {
  description: 'A new staff member.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Sign-in email.' }),
    name: t.string({ required: true, description: 'Name.' }),
    role: t.field({ type: UserRoleEnum, required: true, description: 'What they may do.' }),
    password: t.string({
      required: true,
      description: `Their first password (${minPasswordLength} to 256 characters): tell them to change it.`,
    }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: 'Changes to a user; absent fields stay as they are.',
  fields: (t) => ({
    name: t.string({ description: 'Name.' }),
    role: t.field({ type: UserRoleEnum, description: 'What they may do.' }),
    disabled: t.boolean({
      description: 'true ends their sessions at once and stops sign-in; false lets them back.',
    }),
    password: t.string({
      description: 'A new password (ends their sessions), e.g. when they forgot theirs.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createUser: t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'User',
    description:
      'Creates a user. Select `... on User { id }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The user, or why it was not created.' },
    },
    args: { input: t.arg({ type: CreateUserInput, required: true, description: 'The user.' }) },
    resolve: async (query, _root, args, ctx) => {
      const parsed = newUserSchema.safeParse(args.input);
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      const taken = await ctx.prisma.user.findUnique({ where: { email: parsed.data.email } });
      if (taken) {
        throw new ValidationError([
          {
            path: 'email',
            message: 'This email has a user',
            translations: { 'pt-BR': 'Este e-mail já tem um usuário' },
          },
        ]);
      }
      const passwordHash = await hashPassword(parsed.data.password);
      return ctx.prisma.$transaction(async (tx) => {
        const user = await tx.user.create({
          ...query,
          data: {
            email: parsed.data.email,
            name: parsed.data.name,
            role: parsed.data.role,
            passwordHash,
          },
        });
        await recordAudit(tx, ctx, {
          action: 'user.create',
          target: { type: 'user', id: user.id },
          details: { role: user.role },
        });
        return user;
      });
    },
  }),
  updateUser: t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'User',
    description:
      'Changes a user. Disabling, or setting a password, ends their sessions on every instance at once. Select `... on User { id }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError, UserNotFoundError],
      directResult: true,
      union: { description: 'The changed user, or why nothing changed.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The user id.' }),
      input: t.arg({ type: UpdateUserInput, required: true, description: 'The changes.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const { input } = args;
      const parsed = updateUserSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      const user = uuid.test(id) ? await ctx.prisma.user.findUnique({ where: { id } }) : null;
      if (!user) throw new UserNotFoundError(id);
      if (ctx.principal.kind === 'user' && ctx.principal.userId === id) {
        if (parsed.data.disabled === true || (parsed.data.role && parsed.data.role !== 'ADMIN')) {
          // An admin locking themselves out could leave nobody able to manage users.
          throw new ValidationError([
            {
              path: parsed.data.disabled ? 'disabled' : 'role',
              message: 'You cannot demote or disable yourself',
              translations: { 'pt-BR': 'Você não pode rebaixar nem desativar a própria conta' },
            },
          ]);
        }
      }
      const passwordHash = parsed.data.password
        ? await hashPassword(parsed.data.password)
        : undefined;
      const endsSessions = parsed.data.disabled === true || passwordHash !== undefined;
      return ctx.prisma.$transaction(async (tx) => {
        const updated = await tx.user.update({
          ...query,
          where: { id },
          data: {
            name: parsed.data.name,
            role: parsed.data.role,
            passwordHash,
            ...(parsed.data.disabled === undefined
              ? {}
              : { disabledAt: parsed.data.disabled ? (user.disabledAt ?? new Date()) : null }),
          },
        });
        if (endsSessions) {
          await tx.session.updateMany({
            where: { userId: id, revokedAt: null },
            data: { revokedAt: new Date() },
          });
          await publishEvent(tx, { type: 'access.revoked', subject: 'user', id });
        }
        await recordAudit(tx, ctx, {
          action: 'user.update',
          target: { type: 'user', id },
          details: {
            changed: Object.keys(parsed.data).filter(
              (key) => parsed.data[key as keyof typeof parsed.data] !== undefined,
            ),
          },
        });
        return updated;
      });
    },
  }),
}));

const updateUserSchema = z.object({
  name: newUserSchema.shape.name.optional(),
  role: newUserSchema.shape.role.optional(),
  disabled: z.boolean().optional(),
  password: newUserSchema.shape.password.optional(),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'What it is for, e.g. "Site form".' }),
    scopes: t.field({
      type: [ApiKeyScopeEnum],
      required: true,
      description: 'What it may do (at least one).',
    }),
    allowedOrigins: t.stringList({
      description:
        'Browser origins that may use it, e.g. https://www.example.com. Leave empty for keys used by servers (n8n, scripts): browsers are then refused.',
    }),
  }),
});

const CreateApiKeyPayload = builder
  .objectRef<{ key: string; apiKeyId: string }>('CreateApiKeyPayload')
  .implement({
    description: 'A new key. `key` is shown here once and never again: store it now.',
    fields: (t) => ({
      key: t.exposeString('key', {
        description: 'The key, for `Authorization: Bearer <key>` or `X-API-Key: <key>`.',
      }),
      apiKey: t.prismaField({
        type: 'ApiKey',
        description: 'The key as listed.',
        resolve: (query, payload, _args, ctx) =>
          ctx.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: payload.apiKeyId } }),
      }),
    }),
  });

const apiKeyInputSchema = z.object({
  name: z.string().trim().min(1, bilingual('Name is required', 'Informe o nome')).max(255),
  scopes: z
    .array(z.enum(apiKeyScopes))
    .min(
      1,
      bilingual('Give the key at least one scope', 'Escolha pelo menos um escopo para a chave'),
    ),
  allowedOrigins: z
    .array(
      z
        .url({
          protocol: /^https?$/,
          message: bilingual(
            'Enter an origin like https://www.example.com',
            'Informe uma origem como https://www.exemplo.com.br',
          ),
        })
        .transform((url) => new URL(url).origin),
    )
    .max(20, bilingual('At most 20 origins', 'No máximo 20 origens'))
    .nullish()
    .transform((origins) => origins ?? []),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    authScopes: { permission: 'admin' },
    type: CreateApiKeyPayload,
    description:
      'Creates an API key and returns it once. Select `... on CreateApiKeyPayload { key apiKey { id prefix } }`, `... on ValidationError { fieldErrors { path message } }` and `... on Error { message }`.',
    errors: {
      types: [ValidationError],
      directResult: true,
      union: { description: 'The key, or why it was not created.' },
    },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: 'The key.' }) },
    resolve: async (_root, args, ctx) => {
      const parsed = apiKeyInputSchema.safeParse(args.input);
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
      return ctx.prisma.$transaction(async (tx) => {
        const { key, record } = await createApiKey(tx, {
          ...parsed.data,
          createdById: ctx.principal.kind === 'user' ? ctx.principal.userId : null,
        });
        await recordAudit(tx, ctx, {
          action: 'api-key.create',
          target: { type: 'api-key', id: record.id },
          details: {
            name: record.name,
            scopes: record.scopes,
            allowedOrigins: record.allowedOrigins,
          },
        });
        return { key, apiKeyId: record.id };
      });
    },
  }),
  revokeApiKey: t.prismaField({
    authScopes: { permission: 'admin' },
    type: 'ApiKey',
    description:
      'Revokes a key: it stops working at once on every instance, and sockets using it close. Select `... on ApiKey { revokedAt }` and `... on Error { message }`.',
    errors: {
      types: [ApiKeyNotFoundError],
      directResult: true,
      union: { description: 'The revoked key, or why nothing changed.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The key id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const id = String(args.id);
      const key = uuid.test(id) ? await ctx.prisma.apiKey.findUnique({ where: { id } }) : null;
      if (!key) throw new ApiKeyNotFoundError(id);
      return ctx.prisma.$transaction(async (tx) => {
        const revoked = await tx.apiKey.update({
          ...query,
          where: { id },
          data: { revokedAt: key.revokedAt ?? new Date() },
        });
        await publishEvent(tx, { type: 'access.revoked', subject: 'api-key', id });
        await recordAudit(tx, ctx, {
          action: 'api-key.revoke',
          target: { type: 'api-key', id },
          details: { name: key.name },
        });
        return revoked;
      });
    },
  }),
}));

/** The principal a session for this user will resolve to, for records made at sign-in. */
function signedInPrincipal(user: User, sessionId: string): Principal {
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    sessionId,
    permissions: new Set(rolePermissions[user.role]),
  };
}
