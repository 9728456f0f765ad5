// Who may use an identity route: any session, or only a complete one (a password session
// waiting for its second factor opens nothing but the second-factor routes).
import type { FastifyRequest } from 'fastify';
import { DomainError, unauthorized } from '../platform/errors.js';
import type { LoadedSession } from './sessions.js';

/** A session whose password waits for its second factor opens nothing but the second-factor routes. */
export function signedIn(request: FastifyRequest): LoadedSession {
  const session = anySession(request);
  if (session.method === 'password' && session.secondFactor === null) throw secondFactorRequired();
  return session;
}

/** Any session, a password one waiting for its second factor included. */
export function anySession(request: FastifyRequest): LoadedSession {
  const session = request.identity?.session;
  if (!session) throw unauthorized();
  return session;
}

export const awaitsSecondFactor = (s: LoadedSession) => s.method === 'password' && s.secondFactor === null;

export const secondFactorRequired = () =>
  new DomainError(
    'second_factor_required',
    'Confirmez d’abord votre connexion avec votre second facteur (clé d’accès, application d’authentification ou code de secours).',
    401,
  );
