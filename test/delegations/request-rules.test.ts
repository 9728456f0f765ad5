// Property tests of the new states (issue 16): a refused, accepted or expired request never
// becomes open or accepted again; a request accepted twice is accepted once; the limits hold for
// any history; a renounced delegation never becomes active again, whatever is tried after.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertMayRequest,
  decideRequest,
  MAX_OPEN_REQUESTS,
  type RequestFacts,
  requestExpiry,
  requestStatus,
  SILENCE_DAYS,
} from '../../src/server/delegations/request-rules.js';
import {
  applyChange,
  type DelegationState,
  statusOf,
  unusedSince,
} from '../../src/server/delegations/rules.js';
import { DomainError } from '../../src/server/platform/errors.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-11-25T09:00:00Z');
const doctors = ['a', 'b', 'c', 'd', 'e'];

const request = fc
  .record({
    doctor: fc.constantFrom(...doctors),
    created: fc.integer({ min: -120, max: 0 }),
    decision: fc.constantFrom(null, 'accepted', 'refused'),
    decidedAfter: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ doctor, created, decision, decidedAfter }): RequestFacts => {
    const createdAt = new Date(T0 + created * DAY);
    const expiresAt = requestExpiry(createdAt);
    const decidedAt = decision
      ? new Date(Math.min(createdAt.getTime() + decidedAfter * DAY, expiresAt.getTime() - 1, T0))
      : null;
    return {
      doctorId: doctor,
      createdAt,
      expiresAt,
      decidedAt,
      decision: decision as RequestFacts['decision'],
    };
  });

const attempt = (f: () => unknown) => {
  try {
    return f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
};

describe('request rules', () => {
  it('a decided or expired request is final: never open, never decided again', () => {
    fc.assert(
      fc.property(
        request,
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom('accepted', 'refused'),
        (r, later, d) => {
          const now = new Date(T0 + later * DAY);
          const status = requestStatus(r, now);
          const result = attempt(() => decideRequest(r, d as 'accepted' | 'refused', now));
          if (status === 'open') {
            expect(result).not.toBeInstanceOf(DomainError);
            const decided = result as RequestFacts;
            expect(requestStatus(decided, now)).toBe(d);
            // Accepting twice: the second is refused, so one delegation only.
            expect(attempt(() => decideRequest(decided, 'accepted', now))).toBeInstanceOf(DomainError);
            // And a decided request stays decided for ever.
            expect(requestStatus(decided, new Date(now.getTime() + 365 * DAY))).toBe(d);
          } else {
            expect((result as DomainError).status).toBe(409);
            if (r.decision) expect(status).toBe(r.decision);
          }
        },
      ),
    );
  });

  it('whatever the history, an allowed request keeps every limit', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 8 }), fc.constantFrom(...doctors), (mine, doctor) => {
        const now = new Date(T0);
        const result = attempt(() => assertMayRequest(mine, doctor, now));
        const open = mine.filter((r) => requestStatus(r, now) === 'open');
        const refusals = mine
          .filter((r) => r.doctorId === doctor && r.decision === 'refused')
          .map((r) => (r.decidedAt as Date).getTime());
        const silenced = refusals.length >= 2 && Math.max(...refusals) + SILENCE_DAYS * DAY > now.getTime();
        const shouldRefuse =
          open.length >= MAX_OPEN_REQUESTS || open.some((r) => r.doctorId === doctor) || silenced;
        expect(result instanceof DomainError).toBe(shouldRefuse);
      }),
    );
  });
});

describe('renounced delegations', () => {
  const state = fc
    .record({
      kind: fc.constantFrom('staff', 'peer'),
      start: fc.integer({ min: -30, max: 30 }),
      length: fc.integer({ min: 0, max: 60 }),
      accepted: fc.boolean(),
    })
    .map(
      ({ kind, start, length, accepted }): DelegationState => ({
        kind: kind as 'staff' | 'peer',
        startsOn: new Date(T0 + start * DAY).toISOString().slice(0, 10),
        endsOn: new Date(T0 + (start + length) * DAY).toISOString().slice(0, 10),
        deletedAt: null,
        acceptedAt: kind === 'staff' && accepted ? new Date(T0 - 40 * DAY) : null,
        invitationExpiresAt: kind === 'staff' ? new Date(T0 + DAY) : null,
        rights: ['consulter'],
        version: 1,
      }),
    );

  it('only an active or scheduled delegation can be renounced, and then never becomes active again', () => {
    fc.assert(
      fc.property(state, fc.integer({ min: 0, max: 400 }), (s, later) => {
        const now = new Date(T0);
        const status = statusOf(s, now);
        const result = attempt(() => applyChange(s, { type: 'renounce' }, now));
        if (status !== 'active' && status !== 'scheduled') {
          expect(result).toBeInstanceOf(DomainError);
          return;
        }
        const renounced = result as DelegationState;
        const future = new Date(T0 + later * DAY);
        expect(statusOf(renounced, future)).not.toBe('active');
        expect(['renounced', 'deleted']).toContain(statusOf(renounced, future));
        expect(unusedSince(renounced, null, future)).toBeNull();
        expect(
          attempt(() =>
            applyChange(
              renounced,
              { type: 'modify', period: { startsOn: renounced.startsOn, endsOn: null } },
              future,
            ),
          ),
        ).toBeInstanceOf(DomainError);
        expect(attempt(() => applyChange(renounced, { type: 'renounce' }, future))).toBeInstanceOf(
          DomainError,
        );
      }),
    );
  });
});
