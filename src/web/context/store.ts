// The chosen acting context ("Agir pour le compte de"), kept per user in localStorage so that it
// survives a reload, with a tiny subscription so every component sees the same choice without a
// provider. It is only a preference: the server decides the rights at every request.
export interface StoredContext {
  delegatorId: string;
  /** "Dr Camille MARTIN", to name the doctor if the delegation ends while chosen. */
  name: string;
}

const PREFIX = 'delegations-de-droits.agir-pour.';
const listeners = new Set<() => void>();
/** The doctor whose delegation ended while he was the context: shown once, then dismissed. */
let lost: string | undefined;

function notify() {
  for (const listener of listeners) listener();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key?.startsWith(PREFIX)) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The raw stored string (a stable snapshot for useSyncExternalStore). */
export function readRaw(userId: string | undefined): string | null {
  if (!userId) return null;
  try {
    return window.localStorage.getItem(PREFIX + userId);
  } catch {
    return null;
  }
}

export function parseStored(raw: string | null): StoredContext | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<StoredContext>;
    if (typeof value.delegatorId === 'string' && typeof value.name === 'string') {
      return { delegatorId: value.delegatorId, name: value.name };
    }
  } catch {}
  return undefined;
}

export function writeStored(userId: string, value: StoredContext | null) {
  try {
    if (value) window.localStorage.setItem(PREFIX + userId, JSON.stringify(value));
    else window.localStorage.removeItem(PREFIX + userId);
  } catch {}
  notify();
}

export function readLost(): string | undefined {
  return lost;
}

export function setLost(name: string | undefined) {
  lost = name;
  notify();
}
