// The HTTP platform: Fastify with zod schemas, security headers, one error handler, request
// logs without personal data, and the OpenAPI document.
import crypto from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import helmet, { type HelmetOptions } from 'helmet';
import { z } from 'zod';
import type { Config } from './config.js';
import { DomainError, type ErrorBody } from './errors.js';

z.config(z.locales.fr());

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('pino').Logger,
  ZodTypeProvider
>;

/** French messages for the errors Fastify itself raises before a route runs. */
const STATUS_MESSAGES: Record<number, string> = {
  400: 'La requête est invalide.',
  401: 'Vous devez vous connecter pour accéder à cette page.',
  403: 'Accès refusé.',
  404: 'Ressource introuvable.',
  405: 'Méthode non autorisée.',
  406: 'Format de réponse non pris en charge.',
  408: 'La requête a pris trop de temps.',
  409: 'Conflit avec une modification en cours.',
  413: 'La requête est trop volumineuse.',
  414: "L'adresse demandée est trop longue.",
  415: 'Type de contenu non pris en charge.',
  429: 'Trop de requêtes : veuillez patienter avant de réessayer.',
  431: 'En-têtes de requête trop volumineux.',
  503: 'Service momentanément indisponible, veuillez réessayer dans quelques instants.',
};

/** Errors of the database connection, not of the query: the service is unavailable. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/**
 * Answers 200 with `value` as JSON, without a pass through the route's response schema: for the
 * large lists, where that pass over a thousand rows would double the work and the allocations.
 * The schema is given for the compiler, which checks `value` against it (and tests check the
 * answers against it).
 */
export function sendJson<S extends z.ZodType>(
  reply: FastifyReply,
  _schema: S,
  value: NoInfer<z.output<S>>,
): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated/i.test(e.message ?? '');
}

/**
 * Whether the request reached a route of the JSON API, decided on the route the router matched
 * (its pattern), never on the raw URL: `/%61pi/…`, `/ap%69/…` or `/api/%64ossiers` reach the very
 * same handlers as `/api/…` and must meet the very same checks (CSRF, no-store).
 */
export function isApiRoute(request: FastifyRequest): boolean {
  return request.routeOptions.url?.startsWith('/api/') ?? false;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** What PostgreSQL cannot store as text: NUL, and a UTF-16 half without its pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what is looked for.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string (or key) PostgreSQL could not store, if any. Nothing is allocated
 * while the input is fine (every request): the path is built on the way back from a find.
 */
function unstorableAt(value: unknown, depth = 0): string[] | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? [] : undefined;
  // Deeper than any schema goes: validation refuses the shape anyway.
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const key of Object.keys(value)) {
    if (UNSTORABLE.test(key)) return [];
    const found = unstorableAt((value as Record<string, unknown>)[key], depth + 1);
    if (found) {
      found.unshift(key);
      return found;
    }
  }
  return undefined;
}

const unstorableRefused = (path: string[]) =>
  new DomainError('invalid_input', 'Certaines informations sont manquantes ou invalides.', 400, {
    fields: [
      { path: path.join('.'), message: 'Caractères non autorisés (caractère nul ou Unicode invalide).' },
    ],
  });

/** The input guard of one request (see the onRoute hook in createHttp). */
function refuseUnstorable(
  request: { params: unknown; query: unknown; body: unknown },
  _reply: unknown,
  done: (err?: Error) => void,
): void {
  let part = 'params';
  let at = unstorableAt(request.params);
  if (!at) {
    part = 'querystring';
    at = unstorableAt(request.query);
  }
  if (!at) {
    part = 'body';
    at = unstorableAt(request.body);
  }
  if (at) at.unshift(part);
  done(at ? unstorableRefused(at) : undefined);
}

/** Our policy, in helmet's terms. */
export function securityOptions(config: Pick<Config, 'publicUrl'>): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    // No page may be framed by anyone: the legacy header says what frame-ancestors says.
    frameguard: { action: 'deny' },
    strictTransportSecurity: config.publicUrl.startsWith('https:'),
    referrerPolicy: { policy: 'same-origin' },
  };
}

/**
 * The headers helmet sets for these options, computed once. They depend on nothing in the
 * request; @fastify/helmet would build helmet's middleware again at every request (the CSP
 * directives parsed and checked each time).
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)(
    {} as import('node:http').IncomingMessage,
    recorder as unknown as import('node:http').ServerResponse,
    (err?: unknown) => {
      if (err) throw err;
    },
  );
  return Object.freeze(headers);
}

export async function createHttp(config: Config, logger: import('pino').Logger | undefined): Promise<App> {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    // Fastify's own answers to a malformed or overlong URL are in English and quote the URL,
    // which may carry a searched name or a token: answered in French, without it.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const status =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : error.code === 'FST_ERR_BAD_URL' ? 400 : 500;
      const body: ErrorBody = {
        code: status === 500 ? 'internal' : 'bad_url',
        message: STATUS_MESSAGES[status] ?? 'Une erreur interne est survenue. Veuillez réessayer plus tard.',
        requestId: request.id,
      };
      // Hooks do not run for these: the request id header is set here.
      return reply.status(status).header('x-request-id', request.id).send(body);
    },
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Refused for every route of the OpenAPI document before its own validation, answered as a
  // validation error: such a string would otherwise reach PostgreSQL and fail there (500), or be
  // silently altered. (Hidden routes, such as the local provider's HTML form, check their own.)
  // Attached to those routes only, first of their preValidation hooks: other requests skip it.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean } | undefined;
    if (!schema || schema.hide) return;
    const own = route.preValidation;
    route.preValidation = [
      refuseUnstorable as never,
      ...(own === undefined ? [] : Array.isArray(own) ? own : [own]),
    ];
  });

  // Security headers on every answer, set before anything else runs (a refusal carries them too),
  // on the raw response as helmet sets them: an answer written by a route that takes over the
  // response (reply.hijack(), the demo's local provider) carries them as well.
  const security = Object.entries(securityHeaders(securityOptions(config)));
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of security) reply.raw.setHeader(name, value);
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // API answers, and answers to no route at all (a 404 to what may have been an API path).
    if (isApiRoute(request) || request.routeOptions.url === undefined)
      reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  // One line per request: method, route pattern (never the raw URL, which may carry a name
  // typed in a search or an invitation token), status, duration. Its fields are these, fixed
  // here, none personal: the line skips the redaction pass of the other log lines (pino's
  // wildcard paths cost several times the rest of the line).
  const requestLog = app.log.child({}, { redact: [] });
  app.addHook('onResponse', (request, reply, done) => {
    requestLog.info(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'not-found',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body: ErrorBody = { code: 'error', message: '', requestId: request.id };
    let status = 500;
    if (error instanceof DomainError) {
      status = error.status;
      body.code = error.code;
      body.message = error.message;
      if (error.details) Object.assign(body, error.details);
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      body.code = 'invalid_input';
      body.message = 'Certaines informations sont manquantes ou invalides.';
      body.fields = error.validation.map((v) => ({
        path: [error.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'Valeur invalide.',
      }));
    } else if (isDatabaseUnavailable(error)) {
      status = 503;
      body.code = 'unavailable';
      body.message = STATUS_MESSAGES[503] as string;
      reply.header('retry-after', '5');
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      body.code = status === 429 ? 'rate_limited' : (error.code ?? 'bad_request').toLowerCase();
      body.message = STATUS_MESSAGES[status] ?? (STATUS_MESSAGES[400] as string);
    }
    if (status >= 500) {
      body.code = body.code === 'unavailable' ? body.code : 'internal';
      body.message ||= 'Une erreur interne est survenue. Veuillez réessayer plus tard.';
      // Stack and code only: driver messages and details can quote the values of a row.
      request.log.error(
        {
          err: { type: error.name, code: error.code, stack: error.stack?.split('\n').slice(1, 8).join('\n') },
        },
        'request failed',
      );
    }
    return reply.status(status).send(body);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Délégations de droits — API',
        description:
          "API de l'application Délégations de droits : délégations, annuaire, dossiers et journal. " +
          'Les requêtes qui modifient des données exigent la session (cookie) et le jeton CSRF (en-tête x-csrf-token).',
        version: '1.0.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sid' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Its own policy allows framing by the same origin: no page of ours is framed, this one neither.
    transformStaticCSP: (header) => header.replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'"),
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
