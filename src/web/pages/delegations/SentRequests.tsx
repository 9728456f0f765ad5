// « Mes demandes de délégation » on « Délégations reçues »: each request made, its status, the
// refusal's reason, the expiry.
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { useQuery } from '@tanstack/react-query';
import { frenchDate } from '../../../shared/calendar';
import { REQUEST_STATUS_LABELS, type RequestView } from '../../../shared/delegation-requests';
import { DataTable } from '../../components/DataTable';
import { Period, RightsSummary } from './components';
import { personName } from './format';
import { fetchSentRequests, REQUESTS_SENT_KEY } from './lifecycle-api';

const REQUEST_SEVERITY = { open: 'info', accepted: 'success', refused: 'error', expired: undefined } as const;

export function RequestBadge({ status }: { status: RequestView['status'] }) {
  return (
    <Badge as="span" small severity={REQUEST_SEVERITY[status]}>
      {REQUEST_STATUS_LABELS[status]}
    </Badge>
  );
}

/** « Mes demandes »: each request made, its status, the refusal's reason, the expiry. */
export function SentRequests() {
  const sent = useQuery({ queryKey: REQUESTS_SENT_KEY, queryFn: fetchSentRequests });
  if (!sent.data || sent.data.length === 0) return null;
  const rows = sent.data.map((r) => ({
    key: r.id,
    cells: [
      `Dr ${personName(r.doctor)}`,
      <RightsSummary key="r" kind={r.kind} rights={r.rights} peerLabel="Mêmes droits que le médecin" />,
      <Period key="p" startsOn={r.startsOn} endsOn={r.endsOn} />,
      <span key="s">
        <RequestBadge status={r.status} />
        {r.status === 'open' && <span className="fr-hint-text">Expire le {frenchDate(r.expiresAt)}</span>}
        {r.status === 'refused' && (
          <span className="fr-hint-text">
            {r.refusalReason ? `Motif : « ${r.refusalReason} »` : 'Aucun motif indiqué'}
          </span>
        )}
      </span>,
      frenchDate(r.createdAt),
    ],
  }));
  return (
    <section aria-labelledby="titre-mes-demandes" className="fr-mt-6w">
      <h2 id="titre-mes-demandes" className="fr-h3">
        Mes demandes de délégation
      </h2>
      <DataTable
        className="delegations-table"
        caption="Mes demandes de délégation"
        captionHidden
        headers={['Médecin', 'Droits demandés', 'Période demandée', 'Statut', 'Envoyée le']}
        rows={rows}
      />
    </section>
  );
}
