// The web app is built by Vite into dist/web. `npm start` builds it when the build is missing
// or older than its sources, so that `npm ci && npm start` is enough.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_DIST = path.join(ROOT, 'dist/web');
const SOURCES = ['src/web', 'src/shared', 'vite.config.ts', 'package-lock.json'];

async function newestMtime(p: string): Promise<number> {
  const stat = await fs.stat(p).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of await fs.readdir(p)) {
    if (entry === 'node_modules' || entry === 'public') continue;
    newest = Math.max(newest, await newestMtime(path.join(p, entry)));
  }
  return newest;
}

export async function webBuildIsStale(): Promise<boolean> {
  const built = await fs.stat(path.join(WEB_DIST, 'index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  return Math.max(...sources) > built.mtimeMs;
}

export async function buildWeb(log: (m: string) => void = () => {}): Promise<void> {
  log('Construction de l’application web (Vite)…');
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

export async function ensureWebBuild(log?: (m: string) => void): Promise<void> {
  if (await webBuildIsStale()) await buildWeb(log);
}
