import type { IncomingHttpHeaders } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { PrismaClient } from '../db.ts';
import { rateLimitedError } from './access-errors.ts';
import {
  anonymous,
  authenticate,
  sessionMaxMs,
  type Credentials,
  type Principal,
} from './principal.ts';

/** The cookie that carries a dashboard session. */
export const sessionCookieName = 'streamleads_session';

/** Request limits; every one is shared by all instances through PostgreSQL. */
export interface RateLimitSettings {
  /** Requests per minute for one API key. */
  perKeyPerMinute: number;
  /** Requests per minute for one signed-in person. */
  perUserPerMinute: number;
  /** Requests per minute from one address without credentials or with a publishable key. */
  perIpPerMinute: number;
  /** Failed sign-ins for one email before it is locked... */
  signInFailures: number;
  /** ...for this long. */
  signInLockoutMinutes: number;
}

export interface AccessControlOptions {
  prisma: PrismaClient;
  /** Where the rate limiters keep their counters (the rate_limits table). */
  pool: Pool;
  rateLimits: RateLimitSettings;
  /** Reverse proxies in front of the API whose X-Forwarded-For entries are trusted. */
  trustProxyHops: number;
}

/** Anything with case-insensitive header lookup: fetch Headers, or Node's via a wrapper. */
export interface HeaderSource {
  get(name: string): string | null;
}

export interface AccessControl {
  /** Credentials from headers: Authorization: Bearer / X-API-Key, the session cookie, Origin. */
  credentials(headers: HeaderSource, connectionParams?: Record<string, unknown>): Credentials;
  authenticate(credentials: Credentials): Promise<Principal>;
  /** The caller's address: the socket's, or X-Forwarded-For's when behind trusted proxies. */
  clientIp(headers: HeaderSource, socketAddress: string | undefined): string | null;
  /** Counts one request against the caller's limit; throws a 429 error when it is spent. */
  limitRequest(principal: Principal, ip: string | null): Promise<void>;
  /**
   * authenticate, then limitRequest. A refused credential counts against the address, as an
   * anonymous request does: a made-up key must not be a way around the per-address limit.
   */
  authenticateRequest(
    credentials: Credentials,
    ip: string | null,
    /** The same credentials' principal when this request already looked it up. */
    authenticated?: Promise<Principal>,
  ): Promise<Principal>;
  /**
   * Counts a sign-in attempt for an email before its password is checked; throws a 429 error once
   * the email has used up its attempts (it is locked until the window ends).
   */
  countSignInAttempt(email: string): Promise<void>;
  /** After a successful sign-in: the attempts counted so far are forgiven. */
  clearSignInFailures(email: string): Promise<void>;
  sessionCookie(token: string, secure: boolean): string;
  clearedSessionCookie(secure: boolean): string;
}

export function createAccessControl(options: AccessControlOptions): AccessControl {
  const { rateLimits } = options;
  const limiter = (keyPrefix: string, points: number, durationSeconds: number, clean = false) =>
    new RateLimiterPostgres({
      storeClient: options.pool,
      tableName: 'rate_limits',
      tableCreated: true,
      // One limiter cleans the shared table; more would only repeat its DELETE.
      clearExpiredByTimeout: clean,
      keyPrefix,
      points,
      duration: durationSeconds,
    });
  const perKey = limiter('key', rateLimits.perKeyPerMinute, 60, true);
  const perUser = limiter('user', rateLimits.perUserPerMinute, 60);
  const perIp = limiter('ip', rateLimits.perIpPerMinute, 60);
  const signInFailures = limiter(
    'sign-in',
    rateLimits.signInFailures,
    rateLimits.signInLockoutMinutes * 60,
  );

  async function limitRequest(principal: Principal, ip: string | null): Promise<void> {
    // A publishable key (create only) sits in browsers: limit it per visitor too. Only that one:
    // a key that may do more (leads:write for n8n) is used by a server, from one address.
    const publishable =
      principal.kind === 'api-key' &&
      [...principal.permissions].every((permission) => permission === 'leads:create');
    await Promise.all([
      principal.kind === 'api-key' ? consume(perKey, principal.keyId) : undefined,
      principal.kind === 'user' ? consume(perUser, principal.userId) : undefined,
      (principal.kind === 'anonymous' || publishable) && ip ? consume(perIp, ip) : undefined,
    ]);
  }

  return {
    credentials(headers, connectionParams) {
      const authorization = headers.get('authorization');
      const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      const paramKey = connectionParams?.['apiKey'];
      const cookies = parseCookie(headers.get('cookie') ?? '');
      return {
        apiKey:
          bearer ??
          headers.get('x-api-key') ??
          (typeof paramKey === 'string' ? paramKey : undefined),
        sessionToken: cookies[sessionCookieName],
        origin: headers.get('origin') ?? undefined,
      };
    },
    authenticate: (credentials) => authenticate(options, credentials),
    clientIp(headers, socketAddress) {
      const forwarded = (headers.get('x-forwarded-for') ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      // Each trusted proxy appends the address it received from: the client is the entry just
      // before the trusted ones. Entries further left were written by the client and can lie.
      const hops = Math.min(options.trustProxyHops, forwarded.length);
      const address = hops > 0 ? forwarded[forwarded.length - hops] : socketAddress;
      return address ? address.replace(/^::ffff:/, '') : null;
    },
    limitRequest,
    async authenticateRequest(credentials, ip, authenticated) {
      let principal: Principal;
      try {
        principal = await (authenticated ?? authenticate(options, credentials));
      } catch (error) {
        await limitRequest(anonymous, ip);
        throw error;
      }
      await limitRequest(principal, ip);
      return principal;
    },
    // Counted up front in one atomic upsert: reading the count and adding a failure after the
    // (slow) password check let guesses sent all at once each pass the check before any counted.
    countSignInAttempt: (email) => consume(signInFailures, email),
    async clearSignInFailures(email) {
      await signInFailures.delete(email);
    },
    sessionCookie: (token, secure) =>
      stringifySetCookie({
        name: sessionCookieName,
        value: token,
        httpOnly: true,
        // Strict: the cookie never rides on a request another site starts, so no cross-site
        // request can act as a signed-in person (with CSRF prevention as the second line).
        sameSite: 'strict',
        secure,
        path: '/',
        maxAge: Math.floor(sessionMaxMs / 1000),
      }),
    clearedSessionCookie: (secure) =>
      stringifySetCookie({
        name: sessionCookieName,
        value: '',
        httpOnly: true,
        sameSite: 'strict',
        secure,
        path: '/',
        maxAge: 0,
      }),
  };
}

async function consume(limiter: RateLimiterPostgres, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    // The library rejects with its result object when the limit is spent, with an Error when the
    // store fails; only the first is the caller's fault.
    if (error instanceof RateLimiterRes) throw rateLimitedError(error.msBeforeNext / 1000);
    throw error;
  }
}

/** Node's header object seen through the fetch Headers interface. */
export function nodeHeaders(headers: IncomingHttpHeaders): HeaderSource {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    },
  };
}
