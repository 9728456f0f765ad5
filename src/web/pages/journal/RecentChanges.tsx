// « Changements récents »: on « Mes délégations » and « Délégations reçues », what others did to
// my delegations in the last 30 days (a delegate finalised or renounced, a doctor modified or
// deleted, an expiry, a suspension), each as a dated sentence with what changed. Nothing is shown
// when nothing happened; the emails say the same things.
import { useQuery } from '@tanstack/react-query';
import { fetchRecentChanges, recentChangesKey } from './api';
import { What, When } from './JournalTable';
import './journal.css';

export function RecentChanges({ side }: { side: 'given' | 'received' }) {
  const recent = useQuery({ queryKey: recentChangesKey(side), queryFn: () => fetchRecentChanges(side) });
  if (!recent.data || recent.data.length === 0) return null;
  const id = `recent-changes-${side}`;
  return (
    <section className="fr-mt-6w recent-changes" aria-labelledby={id}>
      <h2 id={id} className="fr-h5">
        Changements récents
      </h2>
      <p className="fr-hint-text">
        {side === 'given'
          ? 'Ce que les personnes habilitées et le service ont fait à vos délégations depuis 30 jours.'
          : 'Ce que les médecins et le service ont fait aux délégations que vous avez reçues depuis 30 jours.'}
      </p>
      <ul className="recent-changes-list">
        {recent.data.map((e) => (
          <li key={e.id}>
            <When at={e.at} /> <What e={e} />
          </li>
        ))}
      </ul>
    </section>
  );
}
