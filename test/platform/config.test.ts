import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/platform/config.js';

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
    });
    expect(c.demo).toBe(false);
    expect(c.publicUrl).toBe('https://delegations.example.fr');
  });

  it('treats empty values as unset and reads booleans', () => {
    expect(
      loadConfig({ PORT: '', DEMO: 'false', SESSION_SECRET: 'y'.repeat(32), PUBLIC_URL: 'http://x' }),
    ).toMatchObject({ port: 3000, demo: false });
  });
});
