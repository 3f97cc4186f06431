import type { PrismaClient } from '../db.ts';
import { sessionIdleMs, sessionMaxMs } from './principal.ts';
import { hashToken, newToken } from './tokens.ts';

/** Starts a session for a signed-in user and returns the token for the cookie. */
export async function startSession(
  prisma: Pick<PrismaClient, 'session'>,
  userId: string,
  client: { ip: string | null; userAgent: string | null },
): Promise<{ token: string; sessionId: string }> {
  const token = newToken('sls');
  const now = Date.now();
  const session = await prisma.session.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      expiresAt: new Date(now + sessionIdleMs),
      absoluteExpiresAt: new Date(now + sessionMaxMs),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    },
  });
  return { token, sessionId: session.id };
}
