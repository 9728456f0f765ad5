import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/platform/config.js';
import { ROOT } from '../../src/server/platform/web-build.js';

const production = {
  DEMO: 'false',
  SESSION_SECRET: 's'.repeat(40),
  PUBLIC_URL: 'https://delegations.example.fr',
  SMTP_URL: 'smtps://u:p@smtp.example.fr:465',
};

const messageOf = (env: Record<string, string>, options?: Parameters<typeof loadConfig>[2]) => {
  try {
    loadConfig(env, '/srv/app', options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the configuration');
};

describe('configuration', () => {
  it('has working defaults in demo mode, with no variable at all', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/srv/app/data',
      databaseUrl: undefined,
      publicUrl: 'http://localhost:3000',
      demo: true,
      logLevel: 'info',
    });
  });

  it('refuses a bad PORT with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT.*entre 0 et 65535/s);
    expect(() => loadConfig({ PORT: '-1' })).toThrow(/PORT/);
  });

  it('names every wrong variable', () => {
    try {
      loadConfig({ PORT: 'x', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', DEMO: 'peut-être' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'DEMO']) expect(message).toContain(name);
    }
  });

  it('turns demo mode off by default with DATABASE_URL, and then requires the secrets', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db/app' })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db/app', SESSION_SECRET: 'short' })).toThrow(
      /SESSION_SECRET.*32/s,
    );
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db/app',
      SESSION_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://delegations.example.fr/',
      SMTP_URL: 'smtp://smtp.example.fr',
    });
    expect(c.demo).toBe(false);
    expect(c.publicUrl).toBe('https://delegations.example.fr');
  });

  it('treats empty values as unset and reads booleans', () => {
    expect(
      loadConfig({
        PORT: '',
        DEMO: 'false',
        SESSION_SECRET: 'y'.repeat(32),
        PUBLIC_URL: 'http://x',
        SMTP_URL: 'smtp://x',
      }),
    ).toMatchObject({ port: 3000, demo: false });
  });

  it('with DEMO off, names every missing setting in one message, not one per start', () => {
    const message = messageOf({ DEMO: 'false' });
    expect(message).toMatch(/^Configuration invalide \/ invalid configuration \(3 problèmes/);
    for (const name of ['SESSION_SECRET', 'PUBLIC_URL', 'SMTP_URL']) {
      expect(message).toContain(`${name}: obligatoire hors mode démo`);
    }
  });

  it('reports missing, invalid and inconsistent variables together, PSC settings included', () => {
    const message = messageOf({
      DEMO: 'false',
      PORT: 'x',
      PUBLIC_URL: 'https://delegations.example.fr',
      SMTP_URL: 'http://smtp.example.fr',
      DIRECTORY_IMPORT_CRON: '99 4 * * *',
      DIRECTORY_IMPORT_URL: 'http://annuaire.example.fr/extraction.zip',
      PSC_ISSUER: 'http://psc.example.fr',
      PSC_CLIENT_ID: 'mon-service',
    });
    const lines = message.split('\n').slice(1);
    expect(lines.map((l) => l.trim().split(':')[0])).toEqual([
      'PORT',
      'SMTP_URL',
      'SESSION_SECRET',
      'PSC_CLIENT_SECRET',
      'DIRECTORY_IMPORT_URL',
      'PSC_ISSUER',
      'DIRECTORY_IMPORT_CRON',
    ]);
    expect(message).toContain('(7 problèmes / problems)');
    expect(message).toContain('PSC_CLIENT_SECRET: obligatoire avec PSC_ISSUER');
  });

  it('refuses SMTP_URL and DIRECTORY_IMPORT_CRON itself, before anything starts', () => {
    expect(messageOf({ ...production, SMTP_URL: 'smtp.example.fr:25' })).toMatch(
      /SMTP_URL: doit être une URL smtp/,
    );
    expect(messageOf({ ...production, SMTP_URL: 'mailto:x@example.fr' })).toContain('SMTP_URL');
    // Right shape, out of range: checked with the job queue's own parser, URL set or not.
    expect(messageOf({ ...production, DIRECTORY_IMPORT_CRON: '99 4 * * *' })).toMatch(
      /DIRECTORY_IMPORT_CRON: expression cron invalide.*'99'.*0-59/,
    );
    expect(messageOf({ ...production, DIRECTORY_IMPORT_CRON: '30 25 * * *' })).toContain(
      'DIRECTORY_IMPORT_CRON',
    );
    expect(loadConfig({ ...production, DIRECTORY_IMPORT_CRON: '*/15 2-4 * * 1-5' }).directoryImportCron).toBe(
      '*/15 2-4 * * 1-5',
    );
  });

  it('requires SMTP_URL for the server only: command-line tools send no email', () => {
    const { SMTP_URL: _, ...noSmtp } = production;
    expect(messageOf(noSmtp)).toContain('SMTP_URL: obligatoire hors mode démo');
    expect(loadConfig(noSmtp, '/srv/app', { purpose: 'tool' }).smtpUrl).toBeUndefined();
    expect(messageOf({ DEMO: 'false' }, { purpose: 'tool' })).not.toContain('SMTP_URL');
  });

  it('npm start with a wrong configuration: exit 78, every problem named, no data directory created', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'dd-config-'));
    const dataDir = path.join(parent, 'data');
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          DEMO: 'false',
          DATA_DIR: dataDir,
          DIRECTORY_IMPORT_CRON: '30 4 * *',
          SKIP_WEB_BUILD: 'true',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(78);
      for (const name of ['SESSION_SECRET', 'PUBLIC_URL', 'SMTP_URL', 'DIRECTORY_IMPORT_CRON']) {
        expect(run.stderr).toContain(`${name}:`);
      }
      expect(run.stdout).toBe('');
      expect(existsSync(dataDir)).toBe(false);
      expect(await fs.readdir(parent)).toEqual([]);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });
});

describe('SUSPEND_UNUSED_DAYS', () => {
  it('is off by default and read as a number of days', () => {
    expect(loadConfig({}, '/srv/app').suspendUnusedDays).toBeUndefined();
    expect(loadConfig({ SUSPEND_UNUSED_DAYS: ' 180 ' }, '/srv/app').suspendUnusedDays).toBe(180);
  });

  it('refuses a value that is not a whole number of days between 30 and 3650, in French', () => {
    expect(messageOf({ SUSPEND_UNUSED_DAYS: 'trente' })).toContain(
      'SUSPEND_UNUSED_DAYS: doit être un nombre entier',
    );
    expect(messageOf({ SUSPEND_UNUSED_DAYS: '7' })).toContain(
      'SUSPEND_UNUSED_DAYS: doit être entre 30 et 3650',
    );
    expect(messageOf({ SUSPEND_UNUSED_DAYS: '4000' })).toContain(
      'SUSPEND_UNUSED_DAYS: doit être entre 30 et 3650',
    );
  });
});
