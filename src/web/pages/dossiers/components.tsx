// Pieces shared by the dossier pages: the page title, the guard that waits for the acting
// context, status badges, and the reaction to a refusal (the context may have just ended).
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { type ReactNode, useEffect } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { DOSSIER_STATUS_LABELS, REQUEST_STATUS_LABELS } from '../../../shared/dossiers';
import { ApiError } from '../../api/client';
import { useSession } from '../../api/session';
import { type ActingContext, ContextSelector, useActingContext } from '../../context';

export { usePageTitle as useTitle } from '../../layout/page';

export function Loading() {
  return (
    <p aria-live="polite" className="loading">
      Chargement…
    </p>
  );
}

/**
 * Renders its children once the signed-in person's acting context is known; otherwise says why
 * (not signed in, no active delegation, a choice to make).
 */
export function InActingContext({
  title,
  children,
}: {
  title: string;
  children: (acting: ActingContext) => ReactNode;
}) {
  const session = useSession();
  const acting = useActingContext();
  const { pathname, search } = useLocation();
  if (session.isPending) return <Loading />;
  if (!session.data?.user) {
    return <Navigate to={`/connexion?retour=${encodeURIComponent(pathname + search)}`} replace />;
  }
  const { state } = acting;
  if (state.status === 'loading' || state.status === 'signed-out') return <Loading />;
  if (state.status === 'error') return <PageError title={title} message={state.message} />;
  if (state.status === 'none') {
    return (
      <>
        <h1>{title}</h1>
        <Alert
          severity={acting.lost ? 'warning' : 'info'}
          as="h2"
          title={
            acting.lost
              ? `Vous n’agissez plus pour le compte du ${acting.lost} : sa délégation de droits n’est plus active.`
              : 'Aucune délégation de droits active'
          }
          description={
            <>
              {acting.lost
                ? 'L’accès à ses dossiers vous est refusé et vous n’avez aucune autre délégation de droits active : aucun dossier ne peut être affiché.'
                : 'Vous n’avez aucune délégation de droits active : aucun dossier ne peut être affiché.'}{' '}
              Les délégations qui vous ont été accordées apparaissent dans{' '}
              <Link to="/delegations-recues">Délégations reçues</Link>.
            </>
          }
        />
      </>
    );
  }
  if (state.status === 'choose') {
    return (
      <>
        <h1>{title}</h1>
        <p>
          Plusieurs médecins vous ont habilité(e) à gérer leurs dossiers. Choisissez pour lequel vous agissez.
        </p>
        <ContextSelector acting={acting} />
      </>
    );
  }
  return <>{children(acting)}</>;
}

/** A refusal while acting for a doctor may mean the delegation just ended: ask again. */
export function useRecheckOnRefusal(error: unknown, acting: ActingContext) {
  const refused =
    error instanceof ApiError &&
    (error.status === 404 || error.status === 403 || error.code === 'context_required');
  const { recheck } = acting;
  const delegated = acting.state.status === 'delegated';
  useEffect(() => {
    if (refused && delegated) void recheck();
  }, [refused, delegated, recheck]);
}

export function PageError({ title, message }: { title: string; message: string }) {
  return (
    <>
      <h1>{title}</h1>
      <Alert severity="error" as="h2" title="Impossible d’afficher cette page" description={message} />
    </>
  );
}

export function errorMessage(error: unknown, fallback = 'Veuillez réessayer dans quelques instants.') {
  return error instanceof ApiError ? error.message : fallback;
}

const DOSSIER_SEVERITY = { brouillon: undefined, complet: 'info', envoye: 'success' } as const;
export function DossierStatusBadge({ status }: { status: keyof typeof DOSSIER_STATUS_LABELS }) {
  return (
    <Badge as="span" small severity={DOSSIER_SEVERITY[status]} noIcon>
      {DOSSIER_STATUS_LABELS[status]}
    </Badge>
  );
}

const REQUEST_SEVERITY = {
  envoyee: 'info',
  acceptee: 'success',
  refusee: 'error',
  annulee: undefined,
} as const;
export function RequestStatusBadge({ status }: { status: keyof typeof REQUEST_STATUS_LABELS }) {
  return (
    <Badge as="span" small severity={REQUEST_SEVERITY[status]} noIcon>
      {REQUEST_STATUS_LABELS[status]}
    </Badge>
  );
}

export { DataTable } from '../../components/DataTable';
