// « Attestation de délégation », printable: who delegated to whom, which rights, for which
// period, when and with which identity the delegation was finalised. For the doctor (from « Mes
// délégations ») and for the delegate (from « Délégations reçues »), as each one's list holds it.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { periodLabel } from '../../../shared/calendar';
import type { DelegationView } from '../../../shared/delegations';
import type { Me } from '../../../shared/identity';
import { DELEGATION_STATUS_LABELS, RIGHT_LABELS, RIGHTS } from '../../../shared/rights';
import { parisDateTimeWords } from '../dossiers/format';
import { DELEGATIONS_KEY, fetchDelegations, fetchReceived, RECEIVED_KEY } from './api';
import { DoctorOnly, LoadError, Loading, SignedIn, useTitle } from './components';
import { delegateName, personName, placeLabel } from './format';
import './delegations.css';

const TITLE = 'Attestation de délégation de droits';

export function GivenAttestationPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{(user) => <Given user={user} />}</DoctorOnly>;
}

export function ReceivedAttestationPage() {
  useTitle(TITLE);
  return <SignedIn>{() => <Received />}</SignedIn>;
}

function Given({ user }: { user: Me }) {
  const { id } = useParams();
  const list = useQuery({ queryKey: DELEGATIONS_KEY, queryFn: fetchDelegations });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} title={TITLE} />;
  const d = [...list.data.staff, ...list.data.peer].find((x) => x.id === id);
  return (
    <Attestation
      back={{ label: 'Mes délégations', to: '/delegations' }}
      delegation={d}
      delegator={`Dr ${personName(user)}`}
    />
  );
}

function Received() {
  const { id } = useParams();
  const list = useQuery({ queryKey: RECEIVED_KEY, queryFn: fetchReceived });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} title={TITLE} />;
  const d = list.data.find((x) => x.id === id);
  return (
    <Attestation
      back={{ label: 'Délégations reçues', to: '/delegations-recues' }}
      delegation={d}
      delegator={d ? `Dr ${personName(d.delegator)}` : ''}
    />
  );
}

function Attestation({
  back,
  delegation: d,
  delegator,
}: {
  back: { label: string; to: string };
  delegation: DelegationView | undefined;
  delegator: string;
}) {
  const printable = d && (d.kind === 'peer' || d.acceptedAt !== null);
  return (
    <>
      <Breadcrumb currentPageLabel={TITLE} segments={[{ label: back.label, linkProps: { to: back.to } }]} />
      <h1>{TITLE}</h1>
      {!printable ? (
        <>
          <Alert
            severity="warning"
            as="h2"
            title="Aucune attestation pour cette délégation"
            description="Elle n’existe pas, a été supprimée, ou n’a pas encore été finalisée par la personne invitée."
            className="fr-mb-4w"
          />
          <Link to={back.to}>Retour à « {back.label} »</Link>
        </>
      ) : (
        <article className="attestation" aria-labelledby="attestation-objet">
          <p id="attestation-objet" className="fr-text--lead">
            {`Le ${delegator} a habilité ${d.kind === 'peer' ? 'le ' : ''}${delegateName(d)} à gérer ses dossiers de patients dans le service « Délégations de droits ».`}
          </p>
          <dl className="attestation-facts">
            <dt>Médecin qui délègue</dt>
            <dd>{delegator}</dd>
            <dt>Personne habilitée</dt>
            <dd>
              {delegateName(d)}
              {d.kind === 'staff'
                ? `${d.delegate.profession ? ` — ${d.delegate.profession}` : ''} (personnel de cabinet)`
                : ` — confrère${
                    d.delegate.profession || d.delegate.places.length
                      ? ` (${[d.delegate.profession, ...d.delegate.places.map(placeLabel)].filter(Boolean).join(', ')})`
                      : ''
                  }`}
            </dd>
            <dt>Droits accordés</dt>
            <dd>
              {d.kind === 'peer' ? (
                'Les mêmes droits que le médecin qui délègue, sur tous ses dossiers.'
              ) : (
                <ul>
                  {RIGHTS.filter((r) => d.rights.includes(r)).map((r) => (
                    <li key={r}>{RIGHT_LABELS[r]}</li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>Période</dt>
            <dd>{periodLabel(d.startsOn, d.endsOn).replace(/^à/, 'À').replace(/^du/, 'Du')}</dd>
            <dt>Finalisation</dt>
            <dd>
              {d.kind === 'peer'
                ? 'Délégation entre médecins : effective dès sa création, sans finalisation par le confrère.'
                : `Finalisée ${parisDateTimeWords(d.acceptedAt as string)} (heure de Paris) par ${delegateName(d)}, connecté(e) avec sa carte CPx par Pro Santé Connect.`}
            </dd>
            {d.delegate.nationalId && (
              <>
                <dt>Identifiant national de la personne habilitée</dt>
                <dd>{d.delegate.nationalId}</dd>
              </>
            )}
            <dt>Statut à la date de l’attestation</dt>
            <dd>{DELEGATION_STATUS_LABELS[d.status]}</dd>
          </dl>
          <p className="fr-text--sm">
            Attestation établie {parisDateTimeWords(new Date().toISOString())} (heure de Paris). Elle reflète
            la délégation à cette date : le médecin peut la modifier ou la supprimer à tout moment, et chaque
            changement est inscrit dans son journal.
          </p>
          <Button iconId="fr-icon-printer-line" priority="secondary" onClick={() => window.print()}>
            Imprimer l’attestation
          </Button>
        </article>
      )}
    </>
  );
}
