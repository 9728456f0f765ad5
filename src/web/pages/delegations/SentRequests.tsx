// « Mes demandes de délégation » on « Délégations reçues »: each request made, its status, the
// refusal's reason, the expiry; when the doctor granted less than asked, what was granted.
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { useQuery } from '@tanstack/react-query';
import { frenchDate } from '../../../shared/calendar';
import { REQUEST_STATUS_LABELS, type RequestView } from '../../../shared/delegation-requests';
import { DataTable } from '../../components/DataTable';
import { Period, RightsSummary } from './components';
import { personName } from './format';
import { fetchSentRequests, REQUESTS_SENT_KEY } from './lifecycle-api';

const REQUEST_SEVERITY = { open: 'info', accepted: 'success', refused: 'error', expired: undefined } as const;
const ACCEPTED_WITH_CHANGES = 'Acceptée avec modifications';

/** What the doctor changed from the request, in the delegation created (as it is now). */
function changes(r: RequestView) {
  const g = r.granted;
  if (r.status !== 'accepted' || !g) return { rights: false, period: false };
  const sameRights = g.rights.length === r.rights.length && g.rights.every((x) => r.rights.includes(x));
  return { rights: !sameRights, period: g.startsOn !== r.startsOn || g.endsOn !== r.endsOn };
}

export function RequestBadge({
  status,
  changed = false,
}: {
  status: RequestView['status'];
  changed?: boolean;
}) {
  return (
    <Badge as="span" small severity={REQUEST_SEVERITY[status]}>
      {status === 'accepted' && changed ? ACCEPTED_WITH_CHANGES : REQUEST_STATUS_LABELS[status]}
    </Badge>
  );
}

/** « Mes demandes »: each request made, its status, the refusal's reason, the expiry. */
export function SentRequests() {
  const sent = useQuery({ queryKey: REQUESTS_SENT_KEY, queryFn: fetchSentRequests });
  if (!sent.data || sent.data.length === 0) return null;
  const rows = sent.data.map((r) => {
    const changed = changes(r);
    return {
      key: r.id,
      cells: [
        `Dr ${personName(r.doctor)}`,
        <>
          <RightsSummary kind={r.kind} rights={r.rights} peerLabel="Mêmes droits que le médecin" />
          {changed.rights && r.granted && (
            <div className="delegation-granted">
              <strong>Accordé :</strong>
              <RightsSummary kind={r.kind} rights={r.granted.rights} />
            </div>
          )}
        </>,
        <>
          <Period startsOn={r.startsOn} endsOn={r.endsOn} />
          {changed.period && r.granted && (
            <div className="delegation-granted">
              <strong>Accordé :</strong> <Period startsOn={r.granted.startsOn} endsOn={r.granted.endsOn} />
            </div>
          )}
        </>,
        <span key="s">
          <RequestBadge status={r.status} changed={changed.rights || changed.period} />
          {r.status === 'open' && <span className="fr-hint-text">Expire le {frenchDate(r.expiresAt)}</span>}
          {r.status === 'refused' && (
            <span className="fr-hint-text">
              {r.refusalReason ? `Motif : « ${r.refusalReason} »` : 'Aucun motif indiqué'}
            </span>
          )}
        </span>,
        frenchDate(r.createdAt),
      ],
    };
  });
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
