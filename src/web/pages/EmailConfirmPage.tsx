import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { emailConfirmResultSchema } from '../../shared/identity';
import { ApiError, apiPost } from '../api/client';
import { useRefreshSession } from '../api/session';

export function EmailConfirmPage() {
  const [params] = useSearchParams();
  const token = params.get('jeton') ?? '';
  const refresh = useRefreshSession();
  // The link is single use: posted once per page load, whatever re-renders or remounts the page
  // (the session refreshed after the confirmation re-renders the layout); never retried.
  const confirm = useQuery({
    queryKey: ['email-confirmation', token],
    queryFn: () => apiPost('/api/account/email/confirm', { token }, emailConfirmResultSchema),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
  const confirmed = confirm.isSuccess;

  useEffect(() => {
    document.title = 'Confirmation de l’adresse électronique — Délégations de droits';
  }, []);
  useEffect(() => {
    if (confirmed) void refresh();
  }, [confirmed, refresh]);

  return (
    <>
      <h1>Confirmation de votre adresse électronique</h1>
      {confirm.isPending ? (
        <p>Confirmation en cours…</p>
      ) : confirm.isSuccess ? (
        <Alert
          severity="success"
          as="h2"
          title="Adresse confirmée"
          description={`Votre adresse ${confirm.data.email} est confirmée : vous recevrez les notifications du service.`}
        />
      ) : (
        <Alert
          severity="error"
          as="h2"
          title="Confirmation impossible"
          description={
            confirm.error instanceof ApiError
              ? confirm.error.message
              : 'Ce lien de confirmation est invalide.'
          }
        />
      )}
      <p className="fr-mt-4w">
        <Link className="fr-link" to="/">
          Revenir à l’accueil
        </Link>
      </p>
    </>
  );
}
