// « Mon compte »: the second factors of a person who signs in with a password — passkeys (name,
// created, last used; remove one, never the last factor), the authenticator app, recovery codes.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { secondFactorStateSchema } from '../../shared/second-factor';
import { ApiError, apiGet, apiSend } from '../api/client';
import { DataTable } from '../components/DataTable';
import { frenchInstant } from '../components/instant';
import { SECOND_FACTOR_KEY } from './SecondFactorPage';

const when = (iso: string | null) => (iso ? frenchInstant(iso) : 'Jamais');

export function SecondFactorsSection() {
  const queryClient = useQueryClient();
  const state = useQuery({
    queryKey: SECOND_FACTOR_KEY,
    queryFn: () => apiGet('/api/second-factor', secondFactorStateSchema),
  });
  const [flash, setFlash] = useState<{ severity: 'success' | 'error'; message: string } | undefined>();
  const remove = useMutation({
    mutationFn: (p: { id: string; name: string }) =>
      apiSend('DELETE', `/api/account/passkeys/${encodeURIComponent(p.id)}`),
    onSuccess: async (_r, p) => {
      setFlash({ severity: 'success', message: `La clé d’accès « ${p.name} » a été supprimée.` });
      await queryClient.invalidateQueries({ queryKey: SECOND_FACTOR_KEY });
    },
    onError: (err) =>
      setFlash({
        severity: 'error',
        message: err instanceof ApiError ? err.message : 'La suppression a échoué.',
      }),
  });

  if (state.isPending) return <p>Chargement…</p>;
  if (state.isError || !state.data) return null;
  const s = state.data;
  return (
    <section aria-labelledby="titre-second-facteur">
      <h2 id="titre-second-facteur" className="fr-h4 fr-mt-6w">
        Second facteur de connexion
      </h2>
      <p className="fr-text--sm">
        Après votre mot de passe, une clé d’accès ou un code de votre application d’authentification est
        demandé à chaque connexion.
      </p>
      {flash && <Alert severity={flash.severity} small className="fr-mb-3w" description={flash.message} />}
      <h3 className="fr-h6">Clés d’accès</h3>
      {s.passkeys.length === 0 ? (
        <p>Aucune clé d’accès.</p>
      ) : (
        <DataTable
          caption="Mes clés d’accès"
          captionHidden
          headers={['Nom', 'Créée le', 'Dernière utilisation', 'Action']}
          rows={s.passkeys.map((p) => ({
            key: p.id,
            cells: [
              p.name,
              when(p.createdAt),
              when(p.lastUsedAt),
              <Button
                key="x"
                priority="tertiary"
                size="small"
                disabled={remove.isPending}
                onClick={() => {
                  setFlash(undefined);
                  remove.mutate(p);
                }}
              >
                Supprimer<span className="fr-sr-only"> la clé d’accès « {p.name} »</span>
              </Button>,
            ],
          }))}
        />
      )}
      <h3 className="fr-h6 fr-mt-3w">Application d’authentification</h3>
      <p>{s.totp ? `Enregistrée le ${when(s.totp.createdAt)}.` : 'Aucune application enregistrée.'}</p>
      <p>
        Codes de secours restants : <strong>{s.recoveryCodesLeft}</strong> sur 10.
      </p>
      <Link className="fr-btn fr-btn--secondary" to="/second-facteur?ajouter=1&retour=%2Fmon-compte">
        Ajouter une clé d’accès{s.totp ? '' : ' ou une application'}
      </Link>
    </section>
  );
}
