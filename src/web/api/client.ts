// The one way the web app talks to the API: same-origin fetch with the session cookie, the
// CSRF token in x-csrf-token on every state-changing request, errors as ApiError with the
// server's French message (and the fields in error, for forms).
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }

  /** The message of one field (`body.email` or just `email`), if the server named it. */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.path === name || f.path === `body.${name}`)?.message;
  }
}

let csrfToken: string | undefined;

/** Set from GET /api/session (see session.ts); a new session means a new token. */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

async function freshCsrfToken(): Promise<string> {
  const res = await fetch('/api/session', {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  const body = (await res.json().catch(() => ({}))) as { csrfToken?: string };
  csrfToken = body.csrfToken;
  return csrfToken ?? '';
}

async function toError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as
    | { code?: string; message?: string; fields?: FieldError[] }
    | undefined;
  return new ApiError(
    res.status,
    body?.code ?? 'error',
    body?.message ??
      (res.status >= 500
        ? 'Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.'
        : 'La requête n’a pas pu aboutir.'),
    body?.fields ?? [],
  );
}

async function parse<T>(res: Response, schema?: z.ZodType<T>): Promise<T> {
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json();
  return schema ? schema.parse(data) : (data as T);
}

export async function apiGet<T>(path: string, schema?: z.ZodType<T>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'network', 'Le serveur ne répond pas. Vérifiez votre connexion et réessayez.');
  }
  return parse(res, schema);
}

export async function apiSend<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  schema?: z.ZodType<T>,
): Promise<T> {
  const send = async (token: string) =>
    fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'x-csrf-token': token,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  let res: Response;
  try {
    res = await send(csrfToken ?? (await freshCsrfToken()));
    // The session may have changed (signed in elsewhere, expired): one retry with a new token.
    if (res.status === 403) {
      const copy = res.clone();
      const err = (await copy.json().catch(() => undefined)) as { code?: string } | undefined;
      if (err?.code === 'csrf_invalid') res = await send(await freshCsrfToken());
    }
  } catch {
    throw new ApiError(0, 'network', 'Le serveur ne répond pas. Vérifiez votre connexion et réessayez.');
  }
  return parse(res, schema);
}

export const apiPost = <T>(path: string, body?: unknown, schema?: z.ZodType<T>) =>
  apiSend('POST', path, body, schema);
