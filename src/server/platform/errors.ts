// Domain errors are values with a stable code and a French message for the user. The HTTP
// layer maps them to a status; anything else is a bug and answers 500 without details.
import { z } from 'zod';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 503;

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: ErrorStatus = 422,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (message = 'Ressource introuvable.') => new DomainError('not_found', message, 404);
export const unauthorized = (message = 'Vous devez vous connecter pour accéder à cette page.') =>
  new DomainError('unauthenticated', message, 401);
export const forbidden = (message = "Vous n'avez pas accès à cette fonctionnalité.") =>
  new DomainError('forbidden', message, 403);
export const conflict = (code: string, message: string) => new DomainError(code, message, 409);

/** The body every error answer has. */
export interface ErrorBody {
  code: string;
  message: string;
  fields?: { path: string; message: string }[];
  requestId?: string;
}

/** The shape of every error answer (code, French message, request id…), for the OpenAPI document. */
export const errorBody = z.object({ code: z.string(), message: z.string() }).passthrough();

/** The error answers a route documents, by status. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof errorBody> {
  return Object.fromEntries(statuses.map((s) => [s, errorBody])) as Record<S, typeof errorBody>;
}
