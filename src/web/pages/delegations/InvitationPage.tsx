// The invitation link of a staff delegation: who invites, the rights and the period (or why the
// link cannot be used), sign-in with Pro Santé Connect coming back here, then "Finaliser la délégation".
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { periodLabel } from '../../../shared/calendar';
import type { InvitationView } from '../../../shared/delegations';
import { RIGHT_LABELS, RIGHTS } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { useSession } from '../../api/session';
import { CONTEXTS_KEY } from '../../context/useActingContext';
import { acceptInvitation, fetchInvitation, fetchReceived, RECEIVED_KEY } from './api';
import { Loading, StatusBadge, useTitle } from './components';
import { ofName, personName } from './format';
import './delegations.css';

const TITLE = 'Invitation à finaliser une délégation de droits';

export function InvitationPage() {
  useTitle(TITLE);
  const { token = '' } = useParams();
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => fetchInvitation(token),
    // The link is rate-limited: one reading per visit is enough.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
  if (invitation.isPending) return <Loading />;
  if (invitation.isError) {
    return (
      <>
        <h1>{TITLE}</h1>
        <Alert
          severity="error"
          as="h2"
          title="Ce lien ne peut pas être utilisé"
          description={
            invitation.error instanceof ApiError
              ? invitation.error.message
              : 'Le lien n’a pas pu être vérifié. Veuillez réessayer dans quelques instants.'
          }
        />
      </>
    );
  }
  return <Invitation token={token} invitation={invitation.data} />;
}

function Invitation({ token, invitation }: { token: string; invitation: InvitationView }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [accepted, setAccepted] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const messageRef = useRef<HTMLDivElement>(null);
  const delegator = `Dr ${personName(invitation.delegator)}`;
  const received = useQuery({
    queryKey: RECEIVED_KEY,
    queryFn: fetchReceived,
    enabled: accepted !== undefined,
  });
  const status = received.data?.find((d) => d.id === accepted)?.status;

  useEffect(() => {
    if (error || accepted) messageRef.current?.focus();
  }, [error, accepted]);

  const onAccept = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await acceptInvitation(token);
      // The new delegation is one the person may now act under ("Agir pour le compte de").
      await queryClient.invalidateQueries({ queryKey: RECEIVED_KEY });
      await queryClient.invalidateQueries({ queryKey: CONTEXTS_KEY });
      setAccepted(result.delegationId);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'La finalisation a échoué.'));
    } finally {
      setBusy(false);
    }
  };

  const user = session.data?.user ?? null;
  const signInHref = `/auth/psc/start?returnTo=${encodeURIComponent(`/invitation/${token}`)}`;

  return (
    <>
      <h1>{TITLE}</h1>
      {invitation.problem && !accepted ? (
        <>
          <Alert
            severity="warning"
            as="h2"
            title="Ce lien ne peut plus être utilisé"
            description={invitation.problem.message}
            className="fr-mb-3w"
          />
          <p>
            Invitation {ofName(delegator)} adressée à {personName(invitation.invited)}.
          </p>
        </>
      ) : (
        <section aria-labelledby="titre-invitation" className="fr-mb-4w">
          <h2 id="titre-invitation" className="fr-h4">
            {delegator} vous invite à gérer ses dossiers
          </h2>
          <dl className="delegation-invitation">
            <dt>Personne invitée</dt>
            <dd>{personName(invitation.invited)}</dd>
            <dt>Droits d’accès accordés</dt>
            <dd>
              <ul>
                {RIGHTS.filter((r) => invitation.rights.includes(r)).map((r) => (
                  <li key={r}>{RIGHT_LABELS[r]}</li>
                ))}
              </ul>
            </dd>
            <dt>Période</dt>
            <dd>{periodLabel(invitation.startsOn, invitation.endsOn)}</dd>
          </dl>
          {invitation.others && invitation.others.length > 0 && (
            <>
              <h3 className="fr-h5">Les médecins de son cabinet vous confient aussi leurs dossiers</h3>
              <p>Une seule finalisation vaut pour tous :</p>
              <ul>
                {invitation.others.map((o) => (
                  <li key={`${o.delegator.familyName}-${o.delegator.givenName}`}>
                    Dr {personName(o.delegator)} :{' '}
                    {RIGHTS.filter((r) => o.rights.includes(r))
                      .map((r) => RIGHT_LABELS[r])
                      .join(', ')}{' '}
                    ({periodLabel(o.startsOn, o.endsOn)})
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}

      {accepted ? (
        <div ref={messageRef} tabIndex={-1}>
          <Alert
            severity="success"
            title="La délégation est finalisée"
            description={
              <>
                <span className="fr-mb-1w" style={{ display: 'block' }}>
                  Vous pouvez désormais gérer les dossiers {ofName(delegator)} pendant la période définie.{' '}
                  {status ? (
                    <>
                      Statut : <StatusBadge status={status} />
                    </>
                  ) : null}
                </span>
                <Link to="/delegations-recues">Voir mes délégations reçues</Link>
              </>
            }
          />
        </div>
      ) : invitation.problem ? null : session.isPending ? (
        <Loading />
      ) : user ? (
        <section aria-labelledby="titre-finaliser">
          <h2 id="titre-finaliser" className="fr-h4">
            Finaliser la délégation
          </h2>
          <p>
            Vous êtes connecté(e) en tant que{' '}
            <strong>
              {user.givenName} {user.familyName}
            </strong>
            . En finalisant, vous acceptez de gérer les dossiers {ofName(delegator)} avec les droits et
            pendant la période ci-dessus.
          </p>
          {error && (
            <div ref={messageRef} tabIndex={-1} className="fr-mb-3w">
              <Alert
                severity="error"
                title="La délégation n’a pas pu être finalisée"
                description={error.message}
              />
            </div>
          )}
          <Button onClick={() => void onAccept()} disabled={busy}>
            Finaliser la délégation
          </Button>
        </section>
      ) : (
        <section aria-labelledby="titre-connexion">
          <h2 id="titre-connexion" className="fr-h4">
            Connectez-vous avec votre carte CPx
          </h2>
          <p>
            Pour finaliser la création de la délégation, connectez-vous avec votre carte CPx (CPS, CPE ou CPA)
            par Pro Santé Connect. Vous reviendrez ensuite sur cette page.
          </p>
          <p className="fr-text--sm">
            <em>
              Nota : à la première connexion, vous devrez choisir un mot de passe et indiquer votre
              profession, puis lire et accepter la charte d’utilisation.
            </em>
          </p>
          <a className="fr-btn fr-btn--lg fr-icon-arrow-right-line fr-btn--icon-right" href={signInHref}>
            Se connecter avec Pro Santé Connect
          </a>
        </section>
      )}
    </>
  );
}
