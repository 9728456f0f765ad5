// The journal: append-only, hash-chained audit of delegation events and dossier accesses.
import type { Feature } from '../app.js';
import { journalRoutes } from './routes.js';

export { appendJournal, verifyJournal } from './store.js';

export const journalFeature: Feature = {
  name: 'journal',
  routes: journalRoutes,
};
