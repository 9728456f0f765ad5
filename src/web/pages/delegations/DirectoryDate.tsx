// "annuaire à jour du JJ/MM/AAAA": the date of the national directory, when its API gives one.
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet } from '../../api/client';
import { frenchDate } from './format';

const statusSchema = z.object({ date: z.string().nullable() });

export function DirectoryDate() {
  const status = useQuery({
    queryKey: ['directory', 'status'],
    queryFn: () => apiGet('/api/directory/status', statusSchema),
    staleTime: 5 * 60_000,
    retry: false,
  });
  const date = status.data?.date;
  if (!date) return null;
  return (
    <p className="fr-text--sm fr-mb-2w delegations-directory-date">annuaire à jour du {frenchDate(date)}</p>
  );
}
