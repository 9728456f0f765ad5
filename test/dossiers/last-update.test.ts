// « Dernière mise à jour le … par … » as each reader of a dossier reads it (pure), and the link to
// the dossier's journal: the doctor's journal of it, or the delegate's own actions on it.
import { describe, expect, it } from 'vitest';
import { dossierJournalLink, lastUpdateText as text } from '../../src/shared/last-update.js';

const lastUpdateText = (d: Parameters<typeof text>[0]) => text(d, 'le 01/12/2026 à 10:05');

const at = '2026-12-01T09:05:00.000Z'; // 10:05 in Paris
const base = {
  reference: 'GA-2026-000042',
  lastUpdate: { at, name: 'Nadia BENALI', ownerName: 'Camille MARTIN' },
};

describe('a dossier’s last update', () => {
  it('for the doctor: by a delegate « pour votre compte », or by himself « par vous »', () => {
    expect(
      lastUpdateText({ ...base, via: 'owner', lastUpdate: { ...base.lastUpdate, by: 'delegate' } }),
    ).toBe('Dernière mise à jour le 01/12/2026 à 10:05 par Nadia BENALI pour votre compte.');
    expect(lastUpdateText({ ...base, via: 'owner', lastUpdate: { ...base.lastUpdate, by: 'you' } })).toBe(
      'Dernière mise à jour le 01/12/2026 à 10:05 par vous.',
    );
  });

  it('for a delegate: by the doctor, by another delegate for the doctor, or by herself', () => {
    const delegated = { ...base, via: 'delegation' as const };
    expect(
      lastUpdateText({
        ...delegated,
        lastUpdate: { ...base.lastUpdate, by: 'owner', name: 'Camille MARTIN' },
      }),
    ).toBe('Dernière mise à jour le 01/12/2026 à 10:05 par le Dr Camille MARTIN.');
    expect(lastUpdateText({ ...delegated, lastUpdate: { ...base.lastUpdate, by: 'delegate' } })).toBe(
      'Dernière mise à jour le 01/12/2026 à 10:05 par Nadia BENALI pour le compte du Dr Camille MARTIN.',
    );
    expect(lastUpdateText({ ...delegated, lastUpdate: { ...base.lastUpdate, by: 'you' } })).toBe(
      'Dernière mise à jour le 01/12/2026 à 10:05 par vous.',
    );
  });

  it('links to the dossier’s journal', () => {
    expect(dossierJournalLink({ reference: base.reference, via: 'owner' })).toBe(
      '/journal?dossier=GA-2026-000042',
    );
    expect(dossierJournalLink({ reference: base.reference, via: 'delegation' })).toBe(
      '/journal?vue=actions&dossier=GA-2026-000042',
    );
  });
});
