// Storage of the local provider (codes, sessions, interactions): in memory, on purpose. It
// exists only in demo mode and in tests, where a restart may well forget pending sign-ins.
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

const stores = new Map<string, Map<string, Entry>>();
const MAX_ENTRIES = 20_000;

/**
 * `resolveAccessToken` reads a presented access token that is not an id of this store (the
 * local PSC's JWT access tokens) as the id of the opaque token it stands for.
 */
export function createMemoryAdapter(
  namespace: string,
  resolveAccessToken?: (value: string) => Promise<string | undefined>,
) {
  return class MemoryAdapter implements Adapter {
    private readonly store: Map<string, Entry>;

    constructor(readonly model: string) {
      const key = `${namespace}:${model}`;
      let store = stores.get(key);
      if (!store) {
        store = new Map();
        stores.set(key, store);
      }
      this.store = store;
    }

    private alive(id: string): AdapterPayload | undefined {
      const entry = this.store.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        this.store.delete(id);
        return undefined;
      }
      return entry.payload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      if (this.store.size >= MAX_ENTRIES) {
        const now = Date.now();
        for (const [k, v] of this.store) if (v.expiresAt <= now) this.store.delete(k);
        if (this.store.size >= MAX_ENTRIES) this.store.delete(this.store.keys().next().value as string);
      }
      this.store.set(id, { payload: { ...payload }, expiresAt: Date.now() + expiresIn * 1000 });
    }

    async find(id: string) {
      if (this.model === 'AccessToken' && resolveAccessToken && id.includes('.')) {
        const opaque = await resolveAccessToken(id);
        return opaque ? this.alive(opaque) : undefined;
      }
      return this.alive(id);
    }

    async findByUserCode(userCode: string) {
      for (const id of this.store.keys()) {
        const p = this.alive(id);
        if (p?.userCode === userCode) return p;
      }
      return undefined;
    }

    async findByUid(uid: string) {
      for (const id of this.store.keys()) {
        const p = this.alive(id);
        if (p?.uid === uid) return p;
      }
      return undefined;
    }

    async consume(id: string) {
      const p = this.alive(id);
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string) {
      this.store.delete(id);
    }

    async revokeByGrantId(grantId: string) {
      for (const [id, entry] of this.store) if (entry.payload.grantId === grantId) this.store.delete(id);
    }
  };
}

/** Forgets one provider's data (its application stopped). */
export function dropMemoryAdapter(namespace: string) {
  for (const key of [...stores.keys()]) if (key.startsWith(`${namespace}:`)) stores.delete(key);
}
