// HTTP routes of the second factor: the state of a person's factors, enrolment (TOTP app or
// passkey), the proof after a right password (passkey, TOTP code or recovery code), and the
// passkeys of « Mon compte ». Thin: each reads the request and calls one use case.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  enrolmentResultSchema,
  passkeyAssertionSchema,
  passkeyRegistrationSchema,
  recoveryCodeSchema,
  secondFactorStateSchema,
  totpCodeSchema,
  totpEnrolmentSchema,
} from '../../shared/second-factor.js';
import { DomainError, errorResponses } from '../platform/errors.js';
import { firstSignInComplete } from './accounts.js';
import { SecondFactorLocked } from './mfa.js';
import type { IdentityContext } from './service.js';
import { anySession, signedIn } from './session-guards.js';
import type { LoadedSession } from './sessions.js';

const errors = errorResponses(400, 401, 403, 404, 409, 429);
const options = z.looseObject({ challenge: z.string() });
const signedInResult = z.object({ redirectTo: z.string() });
const tags = ['Identité — second facteur'];

/** The identity routes' scope (its rate limits registered, zod types). */
type Scope = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export async function secondFactorRoutes(
  app: Scope,
  ctx: IdentityContext,
  rateLimit: { max: number; timeWindow: string },
) {
  const { identity: service, config } = ctx;

  /** With PASSWORD_LOGIN=false there is no password sign-in, hence no second factor. */
  const session = (request: FastifyRequest): LoadedSession => {
    if (!config.passwordLogin) {
      throw new DomainError(
        'password_login_disabled',
        'La connexion par mot de passe n’est pas disponible : connectez-vous avec Pro Santé Connect.',
        404,
      );
    }
    return anySession(request);
  };
  const next = (s: LoadedSession) => ({
    redirectTo: firstSignInComplete(s.user) ? '/' : '/premiere-connexion',
  });
  const write = { rateLimit };
  const guarded = async <T>(work: () => Promise<T>, reply: { header(k: string, v: string): unknown }) => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SecondFactorLocked) reply.header('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
  };

  app.get(
    '/api/second-factor',
    {
      schema: {
        summary: 'Mes seconds facteurs (clés d’accès, application) et l’état de la connexion',
        tags,
        security: [{ session: [] }],
        response: { 200: secondFactorStateSchema, ...errors },
      },
    },
    async (request) => service.secondFactorState(session(request)),
  );

  app.post(
    '/api/second-factor/totp/enrolment',
    {
      config: write,
      schema: {
        summary: 'Commencer l’enregistrement d’une application d’authentification (QR code)',
        tags,
        security: [{ session: [], csrf: [] }],
        response: { 200: totpEnrolmentSchema, ...errors },
      },
    },
    async (request) => service.startTotpEnrolment(session(request)),
  );

  app.post(
    '/api/second-factor/totp/enrolment/confirm',
    {
      config: write,
      schema: {
        summary: 'Confirmer l’application d’authentification avec un premier code',
        tags,
        security: [{ session: [], csrf: [] }],
        body: totpCodeSchema,
        response: { 200: enrolmentResultSchema.extend(signedInResult.shape), ...errors },
      },
    },
    async (request, reply) => {
      const s = session(request);
      const result = await guarded(() => service.confirmTotpEnrolment(s, request.body.code), reply);
      return { ...result, ...next(s) };
    },
  );

  app.post(
    '/api/second-factor/totp',
    {
      config: write,
      schema: {
        summary: 'Terminer la connexion par mot de passe avec un code de l’application',
        tags,
        security: [{ session: [], csrf: [] }],
        body: totpCodeSchema,
        response: { 200: signedInResult, ...errors },
      },
    },
    async (request, reply) => {
      const s = session(request);
      await guarded(() => service.verifyTotp(s, request.body.code), reply);
      request.log.info({ userId: s.userId, method: 'password+totp' }, 'connexion');
      return next(s);
    },
  );

  app.post(
    '/api/second-factor/recovery',
    {
      config: write,
      schema: {
        summary: 'Terminer la connexion par mot de passe avec un code de secours (usage unique)',
        tags,
        security: [{ session: [], csrf: [] }],
        body: recoveryCodeSchema,
        response: { 200: signedInResult, ...errors },
      },
    },
    async (request, reply) => {
      const s = session(request);
      await guarded(() => service.verifyRecoveryCode(s, request.body.code), reply);
      request.log.info({ userId: s.userId, method: 'password+recovery' }, 'connexion');
      return next(s);
    },
  );

  app.post(
    '/api/second-factor/passkey/registration-options',
    {
      config: write,
      schema: {
        summary: 'Options WebAuthn pour enregistrer une clé d’accès',
        tags,
        security: [{ session: [], csrf: [] }],
        response: { 200: options, ...errors },
      },
    },
    async (request) => ({ ...(await service.passkeyRegistrationOptions(session(request))) }),
  );

  app.post(
    '/api/second-factor/passkey/registration',
    {
      config: write,
      schema: {
        summary: 'Enregistrer une clé d’accès',
        tags,
        security: [{ session: [], csrf: [] }],
        body: passkeyRegistrationSchema,
        response: { 200: enrolmentResultSchema.extend(signedInResult.shape), ...errors },
      },
    },
    async (request) => {
      const s = session(request);
      const result = await service.finishPasskeyRegistration(s, {
        name: request.body.name,
        response: request.body.response as unknown as RegistrationResponseJSON,
      });
      return { ...result, ...next(s) };
    },
  );

  app.post(
    '/api/second-factor/passkey/authentication-options',
    {
      config: write,
      schema: {
        summary: 'Options WebAuthn pour se connecter avec une clé d’accès',
        tags,
        security: [{ session: [], csrf: [] }],
        response: { 200: options, ...errors },
      },
    },
    async (request) => ({ ...(await service.passkeyAuthenticationOptions(session(request))) }),
  );

  app.post(
    '/api/second-factor/passkey',
    {
      config: write,
      schema: {
        summary: 'Terminer la connexion par mot de passe avec une clé d’accès',
        tags,
        security: [{ session: [], csrf: [] }],
        body: passkeyAssertionSchema,
        response: { 200: signedInResult, ...errors },
      },
    },
    async (request, reply) => {
      const s = session(request);
      await guarded(
        () => service.verifyPasskey(s, request.body.response as unknown as AuthenticationResponseJSON),
        reply,
      );
      request.log.info({ userId: s.userId, method: 'password+passkey' }, 'connexion');
      return next(s);
    },
  );

  app.delete(
    '/api/account/passkeys/:id',
    {
      config: write,
      schema: {
        summary: 'Supprimer une de mes clés d’accès (jamais le dernier second facteur)',
        tags,
        security: [{ session: [], csrf: [] }],
        params: z.object({ id: z.uuid('Clé d’accès introuvable.') }),
        response: { 200: z.object({ removed: z.literal(true) }), ...errors },
      },
    },
    async (request) => {
      signedIn(request);
      await service.removePasskey(session(request), request.params.id);
      return { removed: true as const };
    },
  );
}
