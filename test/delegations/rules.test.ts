// Property tests of the pure delegation rules: statuses over arbitrary timelines (daylight-saving
// changes in Europe/Paris included), rights implication, sequences of modifications and deletion.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOSSIER_ACTIONS, decide, REQUIRED_RIGHT } from '../../src/server/access/decide.js';
import {
  applyChange,
  type DelegationFacts,
  type DelegationState,
  normalizeName,
  sameIdentity,
  statusOf,
  validatePeriod,
  validateRights,
} from '../../src/server/delegations/rules.js';
import { DomainError } from '../../src/server/platform/errors.js';
import {
  addDays,
  endOfDayExclusive,
  startOfDay,
  todayInParis,
} from '../../src/server/platform/paris-time.js';
import { normalizeRights, RIGHTS, type Right } from '../../src/shared/rights.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
// 2026-01-01 .. 2027-12-31, with the DST changes of 2026-03-29, 2026-10-25, 2027-03-28, 2027-10-31.
const T0 = Date.UTC(2026, 0, 1);
const T1 = Date.UTC(2027, 11, 31);
const DST_INSTANTS = [
  Date.UTC(2026, 2, 29, 1),
  Date.UTC(2026, 9, 25, 1),
  Date.UTC(2027, 2, 28, 1),
  Date.UTC(2027, 9, 31, 1),
];

const DST_DAYS = [
  '2026-03-28',
  '2026-03-29',
  '2026-03-30',
  '2026-10-24',
  '2026-10-25',
  '2026-10-26',
  '2027-03-28',
  '2027-10-31',
];
/** Instants anywhere in the range, many within two days of a DST change, many near a Paris midnight of those days. */
const instant = fc.oneof(
  fc.integer({ min: T0, max: T1 }),
  fc
    .tuple(fc.constantFrom(...DST_INSTANTS), fc.integer({ min: -2 * DAY, max: 2 * DAY }))
    .map(([a, b]) => a + b),
  fc
    .tuple(fc.constantFrom(...DST_DAYS), fc.boolean(), fc.integer({ min: -2 * HOUR, max: 2 * HOUR }))
    .map(([d, atEnd, delta]) => (atEnd ? endOfDayExclusive(d) : startOfDay(d)) + delta),
);
const date = fc.oneof(
  instant.map((t) => todayInParis(new Date(t))),
  fc.constantFrom(...DST_DAYS),
);
const rightsArb = fc.subarray([...RIGHTS]);

const facts = fc.record({
  kind: fc.constantFrom('staff' as const, 'peer' as const),
  startsOn: date,
  length: fc.option(
    fc.oneof(
      fc.integer({ min: 0, max: 400 }),
      fc.constantFrom(...DST_DAYS), // an end date on a daylight-saving day
    ),
    { nil: null },
  ),
  accepted: fc.option(instant, { nil: null }),
  invitationSent: instant,
  deleted: fc.option(instant, { nil: null }),
});

type FactsInput = typeof facts extends fc.Arbitrary<infer T> ? T : never;

function toFacts(f: FactsInput): DelegationFacts {
  return {
    kind: f.kind,
    startsOn: f.startsOn,
    endsOn:
      f.length === null
        ? null
        : typeof f.length === 'number'
          ? addDays(f.startsOn, f.length)
          : ([f.length, f.startsOn].sort()[1] as string), // not before the start
    deletedAt: f.deleted === null ? null : new Date(f.deleted),
    acceptedAt: f.kind === 'staff' && f.accepted !== null ? new Date(f.accepted) : null,
    invitationExpiresAt: f.kind === 'staff' ? new Date(f.invitationSent + 7 * DAY) : null,
  };
}

describe('periods in Europe/Paris', () => {
  it('a day lasts 23 h on the spring change, 25 h on the autumn change, 24 h otherwise', () => {
    expect(endOfDayExclusive('2026-03-29') - startOfDay('2026-03-29')).toBe(23 * HOUR);
    expect(endOfDayExclusive('2026-10-25') - startOfDay('2026-10-25')).toBe(25 * HOUR);
    fc.assert(
      fc.property(date, (d) => {
        const len = endOfDayExclusive(d) - startOfDay(d);
        expect([23 * HOUR, 24 * HOUR, 25 * HOUR]).toContain(len);
        // Paris midnight is 22:00 or 23:00 UTC the day before.
        expect([22, 23]).toContain(new Date(startOfDay(d)).getUTCHours());
      }),
    );
  });

  it('the end date is inclusive up to 23:59:59.999 Paris time', () => {
    const f: DelegationFacts = {
      kind: 'peer',
      startsOn: '2026-10-20',
      endsOn: '2026-10-25',
      deletedAt: null,
      acceptedAt: null,
      invitationExpiresAt: null,
    };
    // 2026-10-25 23:59:59.999 in Paris (UTC+1 after the change) is 22:59:59.999 UTC.
    expect(statusOf(f, new Date(Date.UTC(2026, 9, 25, 22, 59, 59, 999)))).toBe('active');
    expect(statusOf(f, new Date(Date.UTC(2026, 9, 25, 23, 0, 0, 0)))).toBe('expired');
    // 2026-10-20 00:00 in Paris (UTC+2) is 2026-10-19 22:00 UTC.
    expect(statusOf(f, new Date(Date.UTC(2026, 9, 19, 21, 59, 59, 999)))).toBe('scheduled');
    expect(statusOf(f, new Date(Date.UTC(2026, 9, 19, 22, 0, 0, 0)))).toBe('active');
  });
});

describe('status over arbitrary timelines', () => {
  it('agrees with a calendar-date oracle at every instant', () => {
    fc.assert(
      fc.property(facts, instant, (raw, t) => {
        const f = toFacts(raw);
        const now = new Date(t);
        const today = todayInParis(now);
        let expected: string;
        if (f.deletedAt && f.deletedAt <= now) expected = 'deleted';
        else if (f.endsOn !== null && today > f.endsOn) expected = 'expired';
        else if (f.kind === 'staff' && !f.acceptedAt)
          expected = (f.invitationExpiresAt as Date) > now ? 'pending' : 'invitation_expired';
        else if (today < f.startsOn) expected = 'scheduled';
        else expected = 'active';
        expect(statusOf(f, now)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('never goes back: scheduled → active → expired as time passes', () => {
    const order = { scheduled: 0, active: 1, expired: 2 } as Record<string, number>;
    fc.assert(
      fc.property(facts, instant, instant, (raw, a, b) => {
        const f = { ...toFacts({ ...raw, deleted: null }), kind: 'peer' as const };
        const [s1, s2] = [statusOf(f, new Date(Math.min(a, b))), statusOf(f, new Date(Math.max(a, b)))];
        expect(order[s1]).toBeLessThanOrEqual(order[s2] as number);
      }),
    );
  });

  it('gives rights only while active, and a deletion removes them at once (the decision)', () => {
    const actor = { id: 'delegate', isDoctor: false, signIn: { strength: 'psc' as const } };
    fc.assert(
      fc.property(
        facts,
        instant,
        rightsArb,
        fc.constantFrom(...DOSSIER_ACTIONS),
        (raw, t, rights, action) => {
          const f = { ...toFacts(raw), id: 'delegation', rights: rights as Right[], pscRequired: false };
          const now = new Date(t);
          const ask = (d: typeof f) =>
            decide({ actor, onBehalfOfId: 'doctor', action, delegations: [d], now });
          const held = normalizeRights(f.kind, f.rights).includes(REQUIRED_RIGHT[action]);
          expect(ask(f).allowed).toBe(statusOf(f, now) === 'active' && held);
          expect(ask({ ...f, deletedAt: now })).toMatchObject({
            allowed: false,
            reason: 'delegation_deleted',
          });
        },
      ),
    );
  });
});

describe('rights', () => {
  it('every right implies Consulter; peer delegations carry all rights; normalising is idempotent', () => {
    fc.assert(
      fc.property(rightsArb, (rights) => {
        const staff = normalizeRights('staff', rights);
        expect(staff).toContain('consulter');
        expect(new Set(staff)).toEqual(new Set([...rights, 'consulter']));
        expect(normalizeRights('staff', staff)).toEqual(staff);
        expect(normalizeRights('peer', rights)).toEqual([...RIGHTS]);
      }),
    );
  });

  it('refuses no right and unknown rights with a French message', () => {
    expect(() => validateRights([])).toThrow('Choisissez au moins un droit d’accès.');
    expect(() => validateRights(['consulter', 'supprimer'])).toThrow('Un des droits demandés n’existe pas.');
    expect(validateRights(['envoyer'])).toEqual(['consulter', 'envoyer']);
  });
});

describe('period validation', () => {
  const now = new Date(Date.UTC(2026, 10, 25, 10));
  it('refuses a start in the past, an end before the start, a peer period without end', () => {
    expect(() => validatePeriod('staff', { startsOn: '2026-11-24', endsOn: null }, now)).toThrow(
      'La date de début ne peut pas être dans le passé.',
    );
    expect(() => validatePeriod('staff', { startsOn: '2026-12-10', endsOn: '2026-12-09' }, now)).toThrow(
      'La date de fin doit être postérieure ou égale à la date de début.',
    );
    expect(() => validatePeriod('peer', { startsOn: '2026-12-10', endsOn: null }, now)).toThrow(
      'La date de fin est obligatoire pour une délégation à un confrère.',
    );
    expect(() => validatePeriod('staff', { startsOn: '2026-02-30', endsOn: null }, now)).toThrow(
      'La date de début n’est pas une date valide.',
    );
    expect(validatePeriod('staff', { startsOn: '2026-11-25', endsOn: null }, now)).toEqual({
      startsOn: '2026-11-25',
      endsOn: null,
    });
  });

  it('refuses a blank end date: only « Sans date de fin » (null) means no end', () => {
    expect(() => validatePeriod('staff', { startsOn: '2026-11-25', endsOn: '' }, now)).toThrow(
      'Indiquez une date de fin, ou cochez « Sans date de fin ».',
    );
    expect(() => validatePeriod('peer', { startsOn: '2026-11-25', endsOn: '' }, now)).toThrow(
      'La date de fin est obligatoire pour une délégation à un confrère.',
    );
  });

  it('uses the Paris date: 23:30 UTC on the 24th is already the 25th in Paris', () => {
    const lateEvening = new Date(Date.UTC(2026, 10, 24, 23, 30));
    expect(validatePeriod('staff', { startsOn: '2026-11-25', endsOn: null }, lateEvening).startsOn).toBe(
      '2026-11-25',
    );
    expect(() => validatePeriod('staff', { startsOn: '2026-11-24', endsOn: null }, lateEvening)).toThrow(
      DomainError,
    );
  });
});

describe('sequences of modifications and deletion', () => {
  const change = fc.oneof(
    fc.record({
      type: fc.constant('modify' as const),
      start: fc.integer({ min: -3, max: 30 }),
      length: fc.option(fc.integer({ min: -2, max: 60 }), { nil: null }),
      rights: fc.option(rightsArb, { nil: undefined }),
    }),
    fc.record({ type: fc.constant('delete' as const) }),
  );

  it('never resurrects a deleted delegation and keeps rights normalised and the version growing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('staff' as const, 'peer' as const),
        fc.array(fc.tuple(change, fc.integer({ min: 0, max: 3 * DAY })), { maxLength: 15 }),
        (kind, steps) => {
          let now = new Date(Date.UTC(2026, 10, 25, 9));
          let state: DelegationState = {
            kind,
            startsOn: todayInParis(now),
            endsOn: addDays(todayInParis(now), 30),
            deletedAt: null,
            acceptedAt: now,
            invitationExpiresAt: null,
            rights: normalizeRights(kind, ['consulter']),
            version: 1,
          };
          let deleted = false;
          for (const [c, wait] of steps) {
            now = new Date(now.getTime() + wait);
            const today = todayInParis(now);
            const input =
              c.type === 'delete'
                ? c
                : {
                    type: 'modify' as const,
                    period: {
                      startsOn: addDays(today, c.start),
                      endsOn: c.length === null ? null : addDays(today, c.start + c.length),
                    },
                    rights: c.rights,
                  };
            try {
              const next = applyChange(state, input, now);
              expect(deleted).toBe(false); // nothing is accepted after a deletion
              expect(next.version).toBe(state.version + 1);
              state = next;
              if (c.type === 'delete') deleted = true;
            } catch (err) {
              expect(err).toBeInstanceOf(DomainError);
              expect((err as DomainError).message).toMatch(/[a-zé]/);
            }
            expect(state.rights).toContain('consulter');
            if (kind === 'peer') expect(state.rights).toEqual([...RIGHTS]);
            if (deleted) expect(statusOf(state, now)).toBe('deleted');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('identity check at finalisation', () => {
  it('ignores accents, case, hyphens, apostrophes and extra spaces', () => {
    expect(
      sameIdentity(
        { familyName: 'Lefèvre', givenName: 'Jean-Pierre' },
        { familyName: 'LEFEVRE', givenName: 'JEAN  PIERRE ' },
      ),
    ).toBe(true);
    expect(normalizeName("N'DIAYE-LE GOFF")).toBe('N DIAYE LE GOFF');
    expect(
      sameIdentity(
        { familyName: 'DURAND', givenName: 'Sophie' },
        { familyName: 'GARNIER', givenName: 'Léa' },
      ),
    ).toBe(false);
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(normalizeName(normalizeName(s))).toBe(normalizeName(s));
      }),
    );
  });
});
