-- Suspension of unused delegations (issue 16, SUSPEND_UNUSED_DAYS): the daily job sets
-- suspended_at (and the instant since which the delegation was unused, for the refusal message);
-- the doctor's « Réactiver » clears both and sets reactivated_at, the floor of the unused clock.
-- Statuses stay derived, never stored.
alter table delegations add column suspended_at timestamptz;
alter table delegations add column suspended_unused_since timestamptz;
alter table delegations add column reactivated_at timestamptz;
