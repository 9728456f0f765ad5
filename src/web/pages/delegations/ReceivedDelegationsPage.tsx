// "Délégations reçues": the doctors who let me manage their dossiers, with rights, period, status.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { DataTable } from '../../components/DataTable';
import { RecentChanges } from '../journal';
import { fetchReceived, RECEIVED_KEY } from './api';
import { LoadError, Loading, Period, RightsSummary, SignedIn, StatusBadge, useTitle } from './components';
import { personName } from './format';
import { FlashMessage, RequestButton, useFlash, useRenounce } from './ReceivedLifecycle';
import { SentRequests } from './SentRequests';
import { SuspendedHint } from './Suspension';
import './delegations.css';

const TITLE = 'Délégations reçues';

export function ReceivedDelegationsPage() {
  useTitle(TITLE);
  return <SignedIn>{() => <ReceivedDelegations />}</SignedIn>;
}

function ReceivedDelegations() {
  const received = useQuery({ queryKey: RECEIVED_KEY, queryFn: fetchReceived });
  const [flash, setFlash, flashRef] = useFlash();
  const renounce = useRenounce(setFlash);
  if (received.isPending) return <Loading />;
  if (received.isError) return <LoadError error={received.error} title={TITLE} />;
  const rows = received.data.map((d) => ({
    key: d.id,
    cells: [
      <span key="p" className="delegation-person">
        Dr {personName(d.delegator)}
        {d.delegator.specialty && <span className="fr-hint-text">{d.delegator.specialty}</span>}
      </span>,
      d.kind === 'peer' ? 'Confrère' : 'Personnel de cabinet',
      <RightsSummary key="r" kind={d.kind} rights={d.rights} peerLabel="Mêmes droits que le médecin" />,
      <Period key="t" startsOn={d.startsOn} endsOn={d.endsOn} />,
      <span key="s">
        <StatusBadge status={d.status} />
        <SuspendedHint d={d} />
      </span>,
      <ul key="a" className="fr-btns-group fr-btns-group--inline fr-btns-group--sm delegation-actions">
        <li>
          <Link className="fr-btn fr-btn--tertiary fr-btn--sm" to={`/delegations-recues/${d.id}/attestation`}>
            Attestation<span className="fr-sr-only"> de la délégation du Dr {personName(d.delegator)}</span>
          </Link>
        </li>
        {renounce.button(d) && <li>{renounce.button(d)}</li>}
      </ul>,
    ],
  }));
  return (
    <>
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">Les médecins qui vous ont habilité(e) à gérer leurs dossiers.</p>
      <FlashMessage flash={flash} flashRef={flashRef} />
      <RequestButton />
      {rows.length === 0 ? (
        <p>Aucun médecin ne vous a délégué la gestion de ses dossiers pour le moment.</p>
      ) : (
        <DataTable
          className="delegations-table"
          caption="Délégations de droits reçues"
          captionHidden
          headers={[
            'Médecin',
            'En tant que',
            'Droits',
            'Période',
            'Statut',
            { label: 'Actions', noPrint: true },
          ]}
          rows={rows}
        />
      )}
      <p className="fr-text--sm fr-mt-4w">
        Une délégation ne vous permet d’agir sur les dossiers du médecin que lorsqu’elle est « Active ». Le
        médecin peut la modifier ou la supprimer à tout moment.
      </p>
      <SentRequests />
      <RecentChanges side="received" />
      {renounce.dialog}
    </>
  );
}
