// Summary of a V8 CPU profile (`node --cpu-prof`): where the busy time of the process goes, by
// package (self time: the frame on top of the stack; inclusive: the package anywhere on the
// stack) and by function. Idle time is left out of the percentages.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../src/server/platform/web-build.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  endTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A frame's group: a package, a part of Node, a folder of this project, or a native/VM bucket. */
function groupOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle), (root)
    return `natif : ${functionName || '?'}`;
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) {
    const p = url.slice(5).split('/');
    return `node:${p[0] === 'internal' ? p.slice(1, 2).join('/') : p[0]}`;
  }
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  // This checkout, or another one (BENCH_PRODUCT_ROOT): the folder under src/.
  const rel = path.relative(ROOT, file);
  const src = rel.startsWith('..') ? file.lastIndexOf('/src/') : -1;
  return src !== -1 ? path.dirname(file.slice(src + 1)) : rel.startsWith('..') ? url : path.dirname(rel);
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  self: [string, number][];
  /** Self time by group without the native write calls (sockets, log): the JavaScript side and GC. */
  selfJs: [string, number][];
  inclusive: [string, number][];
  functions: [string, number][];
}

/**
 * Only the samples taken between `fromEndMs` and `toEndMs` before the end of the profile (the
 * measured load, without start-up and shut-down) when given.
 */
export function summarize(
  profile: CpuProfile,
  window?: { fromEndMs: number; toEndMs: number },
): ProfileSummary {
  const from = window ? profile.endTime - window.fromEndMs * 1000 : -Infinity;
  const to = window ? profile.endTime - window.toEndMs * 1000 : Infinity;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const stackGroups = new Map<number, Set<string>>();
  const groupsOnStack = (id: number): Set<string> => {
    let set = stackGroups.get(id);
    if (set) return set;
    const node = byId.get(id) as ProfileNode;
    const up = parent.get(id);
    set = new Set(up === undefined ? [] : groupsOnStack(up));
    set.add(groupOf(node.callFrame));
    stackGroups.set(id, set);
    return set;
  };
  const self = new Map<string, number>();
  const selfJs = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) return;
    const node = byId.get(id) as ProfileNode;
    const group = groupOf(node.callFrame);
    if (group === '(idle)') {
      idle += dt;
      return;
    }
    busy += dt;
    add(self, group, dt);
    if (!/^natif : write/.test(group)) add(selfJs, group, dt);
    for (const g of groupsOnStack(id)) if (g !== '(root)') add(inclusive, g, dt);
    const { functionName, url, lineNumber } = node.callFrame;
    add(
      functions,
      `${functionName || '(anonyme)'} ${url ? `${groupOf(node.callFrame)}:${lineNumber + 1}` : ''}`,
      dt,
    );
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    busyMs: busy,
    idleMs: idle,
    self: sorted(self),
    selfJs: sorted(selfJs),
    inclusive: sorted(inclusive),
    functions: sorted(functions),
  };
}

export async function readProfile(dir: string): Promise<CpuProfile> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`${dir} : ${files.length} profils trouvés (1 attendu)`);
  return JSON.parse(await fs.readFile(path.join(dir, files[0] as string), 'utf8')) as CpuProfile;
}

export function printSummary(s: ProfileSummary, top = 25): void {
  const pct = (v: number) => `${((100 * v) / s.busyMs).toFixed(1).padStart(5)} %`;
  console.log(
    `temps occupé ${(s.busyMs / 1000).toFixed(1)} s, inactif ${(s.idleMs / 1000).toFixed(1)} s (pourcentages du temps occupé)`,
  );
  console.log('\n-- temps propre, par groupe --');
  for (const [k, v] of s.self.slice(0, top)) console.log(`${pct(v)}  ${k}`);
  const js = s.selfJs.reduce((a, [, v]) => a + v, 0);
  console.log(
    `\n-- temps propre hors écritures système (write, writev…), par groupe : ${(js / 1000).toFixed(1)} s --`,
  );
  for (const [k, v] of s.selfJs.slice(0, top))
    console.log(`${((100 * v) / js).toFixed(1).padStart(5)} %  ${k}`);
  console.log('\n-- temps inclusif (le groupe est sur la pile), par groupe --');
  for (const [k, v] of s.inclusive.slice(0, top)) console.log(`${pct(v)}  ${k}`);
  console.log('\n-- temps propre, par fonction --');
  for (const [k, v] of s.functions.slice(0, top)) console.log(`${pct(v)}  ${k}`);
}
