// "Modifier" offered with the refusal of a second delegation to the same person: the existing
// delegation is found in the doctor's list by the same keys the server compares.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DELEGATIONS_KEY, fetchDelegations } from './api';

export function ExistingDelegationLink({ email, nationalId }: { email?: string; nationalId?: string }) {
  const list = useQuery({ queryKey: DELEGATIONS_KEY, queryFn: fetchDelegations });
  const all = [...(list.data?.staff ?? []), ...(list.data?.peer ?? [])];
  const wanted = email?.trim().toLowerCase();
  const existing = all.find(
    (d) =>
      (wanted && d.delegate.email?.toLowerCase() === wanted) ||
      (nationalId && d.delegate.nationalId === nationalId),
  );
  return (
    <p className="fr-mt-2w fr-mb-0">
      <Link
        className="fr-btn fr-btn--secondary fr-btn--sm"
        to={existing?.actions.includes('modify') ? `/delegations/${existing.id}/modifier` : '/delegations'}
      >
        Modifier<span className="fr-sr-only"> la délégation existante</span>
      </Link>
    </p>
  );
}
