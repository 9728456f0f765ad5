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

export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} — Délégations de droits`;
  }, [title]);
}

export function Loading() {
  return <p aria-live="polite">Chargement…</p>;
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
          severity="info"
          title="Aucune délégation de droits active"
          description={
            <>
              Vous n’avez aucune délégation de droits active : aucun dossier ne peut être affiché. Les
              délégations qui vous ont été accordées apparaissent dans{' '}
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
      <Alert severity="error" title="Impossible d’afficher cette page" description={message} />
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

/**
 * A DSFR table in the current markup (wrapper, container, content), full width; the first
 * column's cells are row headers so that a screen reader names each row.
 */
export function DataTable({
  caption,
  captionHidden = false,
  headers,
  rows,
  className,
}: {
  caption: string;
  captionHidden?: boolean;
  headers: string[];
  rows: { key: string; cells: ReactNode[] }[];
  className?: string;
}) {
  return (
    <div
      className={`fr-table fr-table--multiline${captionHidden ? ' fr-table--no-caption' : ''} ${className ?? ''}`}
    >
      <div className="fr-table__wrapper">
        <div className="fr-table__container">
          <div className="fr-table__content">
            <table>
              <caption>{caption}</caption>
              <thead>
                <tr>
                  {headers.map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    {row.cells.map((cell, i) =>
                      i === 0 ? (
                        // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
                        <th key={i} scope="row">
                          {cell}
                        </th>
                      ) : (
                        // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
                        <td key={i}>{cell}</td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
