// Property tests of the suspension for lack of use (SUSPEND_UNUSED_DAYS): whatever happens after
// it, a suspended delegation is never active until the doctor reactivates it; a renounced or
// deleted delegation is never reactivated; reactivation restarts the unused clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyChange,
  type DelegationChange,
  type DelegationState,
  statusOf,
  unusedSince,
} from '../../src/server/delegations/rules.js';
import { DomainError } from '../../src/server/platform/errors.js';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-11-25T09:00:00Z');

const state = fc
  .record({
    kind: fc.constantFrom('staff', 'peer'),
    start: fc.integer({ min: -200, max: 10 }),
    length: fc.integer({ min: 0, max: 400 }),
  })
  .map(
    ({ kind, start, length }): DelegationState => ({
      kind: kind as 'staff' | 'peer',
      startsOn: new Date(T0 + start * DAY).toISOString().slice(0, 10),
      endsOn: new Date(T0 + (start + length) * DAY).toISOString().slice(0, 10),
      deletedAt: null,
      acceptedAt: kind === 'staff' ? new Date(T0 + (start - 1) * DAY) : null,
      invitationExpiresAt: null,
      rights: ['consulter'],
      version: 1,
    }),
  );

const step = fc.record({
  after: fc.integer({ min: 0, max: 40 }),
  change: fc.constantFrom<DelegationChange['type']>('suspend', 'reactivate', 'renounce', 'delete', 'modify'),
});

function apply(s: DelegationState, type: DelegationChange['type'], now: Date): DelegationState | DomainError {
  const change: DelegationChange =
    type === 'suspend'
      ? { type, unusedSince: new Date(now.getTime() - 60 * DAY) }
      : type === 'modify'
        ? { type, period: { startsOn: s.startsOn, endsOn: s.endsOn } }
        : { type };
  try {
    return applyChange(s, change, now);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
}

describe('suspended delegations', () => {
  it('a suspended delegation is never active until reactivated; a renounced or deleted one is never reactivated', () => {
    fc.assert(
      fc.property(state, fc.array(step, { minLength: 1, maxLength: 12 }), (initial, steps) => {
        let s = initial;
        let t = T0;
        let suspended = false;
        let final = false;
        for (const { after, change } of steps) {
          t += after * DAY;
          const now = new Date(t);
          const before = statusOf(s, now);
          const result = apply(s, change, now);
          if (change === 'suspend') expect(result instanceof DomainError).toBe(before !== 'active');
          if (change === 'reactivate') expect(result instanceof DomainError).toBe(before !== 'suspended');
          if (result instanceof DomainError) continue;
          s = result;
          if (change === 'suspend') suspended = true;
          if (change === 'reactivate') {
            expect(final).toBe(false);
            suspended = false;
            expect(statusOf(s, now)).not.toBe('suspended');
            // The unused clock starts again at the reactivation.
            expect(unusedSince(s, null, new Date(t + 59 * DAY), 60)).toBeNull();
          }
          if (change === 'renounce' || change === 'delete') final = true;
          // Every instant up to the next step: never active while suspended or after the end.
          for (const d of [0, 1, 10, 39]) {
            const status = statusOf(s, new Date(t + d * DAY));
            if (suspended || final) expect(status).not.toBe('active');
            if (final) expect(['renounced', 'deleted']).toContain(status);
          }
        }
      }),
    );
  });
});
