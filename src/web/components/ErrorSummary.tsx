// The error summary at the top of a form (DSFR alert, focused when it appears): one line per
// field, naming it and linking to it, each field once; and the checks the browser can make
// before anything is sent (a date typed completely, an end after the start).
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { type ReactNode, type RefObject, useCallback, useState } from 'react';
import type { z } from 'zod';
import { ApiError, type FieldError } from '../api/client';
import './error-summary.css';

/** API field paths (`endsOn`, `patient.birthDate`) → the field's id and label. */
export type FieldTargets = Record<string, { id: string; label: string }>;

export const INVALID_INPUT = 'Certaines informations sont manquantes ou invalides.';
/** The one message about a date's format, as the fields' hint says it. */
export const DATE_FORMAT = 'Saisissez une date complète au format JJ/MM/AAAA.';

/** A refusal found in the browser, shaped as the server's (the form shows both alike). */
export function clientError(fields: FieldError[]): ApiError | undefined {
  return fields.length > 0 ? new ApiError(400, 'invalid_input', INVALID_INPUT, fields) : undefined;
}

/**
 * A native date field's problem: blank or incomplete (the browser then gives an empty value and
 * flags `badInput`). `required`: blank is a problem too.
 */
export function dateProblem(id: string, value: string, required: boolean): string | undefined {
  const input = document.getElementById(id) as HTMLInputElement | null;
  if (input?.validity.badInput) return DATE_FORMAT;
  if (value === '') return required ? DATE_FORMAT : undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : DATE_FORMAT;
}

const plainPath = (path: string) => path.replace(/^(body|querystring)\./, '');

export interface Corrections {
  /** The error as the form shows it (summary, fields, title). */
  shown: ApiError | undefined;
  /** This field has just been changed: its messages go. */
  corrected(name: string): void;
  /** A fieldset's onChange (value, field changed): `set`, then `corrected(field)`. */
  correcting<T>(set: (value: T) => void): (value: T, field: string) => void;
}

/**
 * The error as the form shows it once the person has changed some fields since it came: their
 * messages gone, under the field and in the summary; a refusal whose fields are all changed is
 * gone too. An error about no field in particular stays until the next sending. The error itself
 * is kept unchanged: its arrival, not a correction, moves the focus to the summary.
 */
export function useCorrections(error: ApiError | undefined): Corrections {
  const [changed, setChanged] = useState<{ of?: ApiError; names: readonly string[] }>({ names: [] });
  const corrected = useCallback(
    (name: string) =>
      setChanged((prev) => ({ of: error, names: prev.of === error ? [...prev.names, name] : [name] })),
    [error],
  );
  const correcting =
    <T,>(set: (value: T) => void) =>
    (value: T, field: string) => {
      set(value);
      corrected(field);
    };
  return { shown: withoutFields(error, changed.of === error ? changed.names : []), corrected, correcting };
}

function withoutFields(error: ApiError | undefined, names: readonly string[]): ApiError | undefined {
  if (!error || names.length === 0 || error.fields.length === 0) return error;
  const left = error.fields.filter((f) => {
    const plain = plainPath(f.path);
    return !names.some((n) => plain === n || plain.startsWith(`${n}.`));
  });
  if (left.length === error.fields.length) return error;
  return left.length === 0 ? undefined : new ApiError(error.status, error.code, error.message, left);
}

function targetOf(
  path: string,
  fields: FieldTargets,
): { name: string; target?: { id: string; label: string } } {
  const plain = plainPath(path);
  if (fields[plain]) return { name: plain, target: fields[plain] };
  const first = plain.split('.')[0] ?? '';
  return { name: first, target: fields[first] };
}

export function ErrorSummary({
  error,
  fields,
  summaryRef,
  extra,
  headingAs = 'h2',
  className = '',
}: {
  error: ApiError;
  fields: FieldTargets;
  summaryRef: RefObject<HTMLDivElement | null>;
  extra?: ReactNode;
  headingAs?: 'h2' | 'h3';
  className?: string;
}) {
  const seen = new Set<string>();
  const items: { key: string; message: string; target?: { id: string; label: string } }[] = [];
  for (const f of error.fields) {
    const { name, target } = targetOf(f.path, fields);
    const key = name || f.message;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ key, message: f.message, target });
  }
  return (
    <div ref={summaryRef} tabIndex={-1} className={`fr-mb-4w error-summary ${className}`}>
      <Alert
        severity="error"
        as={headingAs}
        title={error.message}
        description={
          items.length > 0 || extra ? (
            <>
              {items.length > 0 && (
                <ul>
                  {items.map((item) => (
                    <li key={item.key}>
                      {item.target ? (
                        <a
                          href={`#${item.target.id}`}
                          onClick={(e) => {
                            // To the field itself (a hash link alone scrolls but leaves the focus);
                            // for a group (radios, checkboxes), its first choice.
                            const el = document.getElementById(item.target?.id ?? '');
                            const field = el?.matches('input, select, textarea')
                              ? el
                              : el?.querySelector<HTMLElement>('input, select, textarea');
                            if (field) {
                              e.preventDefault();
                              field.focus();
                            }
                          }}
                        >
                          {item.target.label} : {item.message}
                        </a>
                      ) : (
                        item.message
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {extra}
            </>
          ) : undefined
        }
      />
    </div>
  );
}

/** The first message for a field (by its API path or its last segment), for under the field. */
export function fieldMessage(error: ApiError | undefined, path: string): string | undefined {
  return error?.fields.find((f) => plainPath(f.path) === path)?.message;
}

/** The shared schema's own messages (the server's), checked before sending: one per field. */
export function schemaProblems(schema: z.ZodType, value: unknown): FieldError[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  const seen = new Set<string>();
  const problems: FieldError[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.join('.');
    if (seen.has(path)) continue;
    seen.add(path);
    problems.push({ path, message: issue.message });
  }
  return problems;
}

/** Problems of several checks, the first one of each field kept. */
export function firstPerField(...lists: FieldError[][]): FieldError[] {
  const seen = new Set<string>();
  return lists.flat().filter((f) => !seen.has(f.path) && seen.add(f.path));
}
