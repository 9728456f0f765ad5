// Configuration: read from the environment once, validated, then passed down.
// Every wrong or missing value is reported at once, in one message naming each variable, before
// anything starts (no data directory, no database).
import path from 'node:path';
import { parseCrontab } from 'graphile-worker';
import { z } from 'zod';

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
      message: `${name} doit valoir true ou false / must be true or false`,
    })
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const intIn = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} doit être un nombre entier / must be an integer`)
    .transform(Number)
    .refine(
      (n) => n >= min && n <= max,
      `${name} doit être entre ${min} et ${max} / must be between ${min} and ${max}`,
    );

const url = (name: string, protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `${name} doit être une URL ${protocols.join(' ou ')} / must be a ${protocols.join(' or ')} URL`,
    );

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const envSchema = z.object({
  PORT: intIn('PORT', 0, 65535).optional(),
  HOST: z.string().trim().min(1).optional(),
  DATA_DIR: z.string().trim().min(1).optional(),
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']).optional(),
  PUBLIC_URL: url('PUBLIC_URL', ['http:', 'https:']).optional(),
  SESSION_SECRET: z
    .string()
    .min(32, 'SESSION_SECRET doit contenir au moins 32 caractères / must be at least 32 characters')
    .optional(),
  DEMO: bool('DEMO').optional(),
  PSC_ISSUER: url('PSC_ISSUER', ['https:', 'http:']).optional(),
  PSC_CLIENT_ID: z.string().trim().min(1).max(200).optional(),
  PSC_CLIENT_SECRET: z.string().min(1).max(500).optional(),
  PASSWORD_LOGIN: bool('PASSWORD_LOGIN').optional(),
  SESSION_IDLE_MINUTES: intIn('SESSION_IDLE_MINUTES', 1, 24 * 60).optional(),
  SESSION_ABSOLUTE_HOURS: intIn('SESSION_ABSOLUTE_HOURS', 1, 24 * 30).optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `LOG_LEVEL doit être l'un de / must be one of: ${LOG_LEVELS.join(', ')}` })
    .optional(),
  DATABASE_POOL_SIZE: intIn('DATABASE_POOL_SIZE', 1, 200).optional(),
  TRUST_PROXY: bool('TRUST_PROXY').optional(),
  DIRECTORY_IMPORT_URL: url('DIRECTORY_IMPORT_URL', ['https:', 'http:']).optional(),
  DIRECTORY_IMPORT_CRON: z
    .string()
    .trim()
    .transform((v) => v.replace(/\s+/g, ' '))
    .refine((v) => /^[\d*,/-]+( [\d*,/-]+){4}$/.test(v), {
      message:
        'DIRECTORY_IMPORT_CRON doit être une expression cron à 5 champs (UTC), par ex. « 30 4 * * * » / must be a 5-field cron expression (UTC)',
    })
    .optional(),
  SMTP_URL: url('SMTP_URL', ['smtp:', 'smtps:']).optional(),
  JOURNAL_RETENTION_DAYS: intIn('JOURNAL_RETENTION_DAYS', 1, 36500).optional(),
  ACCESS_REVIEW_MONTHS: intIn('ACCESS_REVIEW_MONTHS', 1, 60).optional(),
  SUSPEND_UNUSED_DAYS: intIn('SUSPEND_UNUSED_DAYS', 30, 3650).optional(),
  JOURNAL_ARCHIVE_DIR: z.string().trim().min(1).optional(),
  JOURNAL_SIGNING_KEY: z
    .string()
    .min(32, 'JOURNAL_SIGNING_KEY doit contenir au moins 32 caractères / must be at least 32 characters')
    .optional(),
  MAIL_FROM: z
    .string()
    .trim()
    .max(200, 'MAIL_FROM est trop long / is too long')
    .refine((v) => !/[\r\n]/.test(v) && /^[^@<>\s]+@[^@<>\s]+$|<[^@<>\s]+@[^@<>\s]+>$/.test(v), {
      message:
        'MAIL_FROM doit être une adresse, éventuellement précédée d’un nom : Nom <adresse@domaine> / must be an address, optionally with a name',
    })
    .optional(),
  MFA_ENCRYPTION_KEY: z
    .string()
    .min(32, 'MFA_ENCRYPTION_KEY doit contenir au moins 32 caractères / must be at least 32 characters')
    .optional(),
  RATE_LIMIT_FACTOR: intIn('RATE_LIMIT_FACTOR', 1, 1_000_000).optional(),
  METRICS_TOKEN: z
    .string()
    .trim()
    .min(16, 'METRICS_TOKEN doit contenir au moins 16 caractères / must be at least 16 characters')
    .max(500, 'METRICS_TOKEN est trop long / is too long')
    .optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset: the application runs its own embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  publicUrl: string;
  /** Unset in demo mode until the secret kept under dataDir is read (see main.ts). */
  sessionSecret: string | undefined;
  demo: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  trustProxy: boolean;
  /** The ANS extract zip downloaded and imported by a daily job; unset: no automatic import. */
  directoryImportUrl: string | undefined;
  /** When that job runs (graphile-worker cron, UTC). */
  directoryImportCron: string;
  /**
   * Pro Santé Connect. Unset issuer in demo mode: the local provider mounted in the app is used;
   * unset with DEMO off: sign-in with Pro Santé Connect is unavailable.
   */
  pscIssuer: string | undefined;
  pscClientId: string | undefined;
  pscClientSecret: string | undefined;
  /** Password sign-in for accounts that chose a password at first sign-in. */
  passwordLogin: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** smtp:// or smtps:// with optional credentials. Unset in demo mode: a local SMTP server is run. */
  smtpUrl: string | undefined;
  /** Journal entries older than this are archived to a file and purged (signed checkpoint). */
  journalRetentionDays: number;
  /** A doctor with active delegations is asked to review them this often (« Revue des délégations »). */
  accessReviewMonths: number;
  /** The daily job suspends an active delegation unused for this many days; off when unset. */
  suspendUnusedDays: number | undefined;
  journalArchiveDir: string;
  /** Signs the journal checkpoints; derived from the session secret when unset. */
  journalSigningKey: string | undefined;
  /** The From of every email. */
  mailFrom: string;
  /** Bearer token for GET /metrics when DEMO is off; unset: /metrics answers loopback only. */
  metricsToken: string | undefined;
  /**
   * Encrypts the TOTP secrets at rest. In demo mode, derived from the (demo) session secret when
   * unset; with DEMO off and no key, TOTP apps are unavailable (passkeys only).
   */
  mfaEncryptionKey: string | undefined;
  /** Multiplies every rate limit (1; a benchmark's few sessions are not an abuse). */
  rateLimitFactor: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const HEADER = 'Configuration invalide / invalid configuration';

export interface LoadConfigOptions {
  /**
   * 'server' (the default): everything the running service needs, SMTP_URL included outside demo
   * mode. 'tool': a command-line tool (migrations, journal check, directory import) sending no email.
   */
  purpose?: 'server' | 'tool';
}

/**
 * Pure: the environment in, a typed configuration or a ConfigError out. The error lists every
 * missing or invalid variable, one per line, so that an operator fixes them all in one go.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
  options: LoadConfigOptions = {},
): Config {
  // Empty strings count as unset, as shells and .env files often leave them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const problems: string[] = [];
  const problem = (name: string, message: string) => problems.push(`  ${name}: ${message}`);

  // Each variable on its own, so that one wrong value hides neither another one nor a missing one.
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchema.shape)) {
    const parsed = (schema as z.ZodType).safeParse(cleaned[name]);
    if (parsed.success) values[name] = parsed.data;
    else {
      // The schema's messages start with the variable's name: said once per line is enough.
      for (const { message } of parsed.error.issues) {
        problem(name, message.startsWith(`${name} `) ? message.slice(name.length + 1) : message);
      }
    }
  }
  const e = values as z.infer<typeof envSchema>;
  const valid = (name: keyof typeof envSchema.shape) => cleaned[name] === undefined || name in values;

  const demo = e.DEMO ?? (valid('DATABASE_URL') && cleaned.DATABASE_URL === undefined);
  const port = e.PORT ?? 3000;
  const required = (name: keyof typeof envSchema.shape) => {
    if (cleaned[name] === undefined) problem(name, 'obligatoire hors mode démo / required when DEMO is off');
  };
  if (!demo) {
    required('SESSION_SECRET');
    required('PUBLIC_URL');
    if (options.purpose !== 'tool') required('SMTP_URL');
  }
  if (cleaned.PSC_ISSUER !== undefined) {
    const missing = (['PSC_CLIENT_ID', 'PSC_CLIENT_SECRET'] as const).filter((n) => cleaned[n] === undefined);
    if (missing.length) {
      problem(
        missing.join(', '),
        `${missing.length > 1 ? 'obligatoires' : 'obligatoire'} avec PSC_ISSUER / required with PSC_ISSUER`,
      );
    }
  }
  if (!demo && e.DIRECTORY_IMPORT_URL?.startsWith('http:')) {
    problem('DIRECTORY_IMPORT_URL', 'doit être en https hors mode démo / must be https when DEMO is off');
  }
  if (!demo && e.PSC_ISSUER?.startsWith('http:')) {
    problem('PSC_ISSUER', 'doit être en https hors mode démo / must be https when DEMO is off');
  }
  if (e.DIRECTORY_IMPORT_CRON !== undefined) {
    // The job queue's own parser: it also checks the ranges (minute 0-59, hour 0-23...).
    try {
      parseCrontab(`${e.DIRECTORY_IMPORT_CRON} directory_auto_import`);
    } catch (err) {
      problem(
        'DIRECTORY_IMPORT_CRON',
        `expression cron invalide / invalid cron expression (${(err as Error).message.replace(/ in line \d+ of crontab/, '')})`,
      );
    }
  }
  if (problems.length) {
    const count = problems.length > 1 ? ` (${problems.length} problèmes / problems)` : '';
    throw new ConfigError(`${HEADER}${count}:\n${problems.join('\n')}`);
  }
  return {
    port,
    host: e.HOST ?? '127.0.0.1',
    dataDir: path.resolve(cwd, e.DATA_DIR ?? 'data'),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE ?? 10,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    sessionSecret: e.SESSION_SECRET,
    demo,
    logLevel: e.LOG_LEVEL ?? 'info',
    trustProxy: e.TRUST_PROXY ?? false,
    directoryImportUrl: e.DIRECTORY_IMPORT_URL,
    directoryImportCron: e.DIRECTORY_IMPORT_CRON ?? '30 4 * * *',
    pscIssuer: e.PSC_ISSUER?.replace(/\/+$/, ''),
    pscClientId: e.PSC_CLIENT_ID,
    pscClientSecret: e.PSC_CLIENT_SECRET,
    passwordLogin: e.PASSWORD_LOGIN ?? true,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES ?? 60,
    sessionAbsoluteHours: e.SESSION_ABSOLUTE_HOURS ?? 8,
    smtpUrl: e.SMTP_URL,
    journalRetentionDays: e.JOURNAL_RETENTION_DAYS ?? 365,
    accessReviewMonths: e.ACCESS_REVIEW_MONTHS ?? 6,
    suspendUnusedDays: e.SUSPEND_UNUSED_DAYS,
    journalArchiveDir: path.resolve(
      cwd,
      e.JOURNAL_ARCHIVE_DIR ?? path.join(e.DATA_DIR ?? 'data', 'journal-archive'),
    ),
    journalSigningKey: e.JOURNAL_SIGNING_KEY,
    mailFrom:
      e.MAIL_FROM ??
      `Délégations de droits <no-reply@${new URL(e.PUBLIC_URL ?? `http://localhost:${port}`).hostname}>`,
    metricsToken: e.METRICS_TOKEN,
    mfaEncryptionKey: e.MFA_ENCRYPTION_KEY,
    rateLimitFactor: e.RATE_LIMIT_FACTOR ?? 1,
  };
}
