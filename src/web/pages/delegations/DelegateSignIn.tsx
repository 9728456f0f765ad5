// Strong authentication in « Mes délégations »: how each delegate signs in and when they last
// did, the reset of a staff member's second factor, and the « Connexion par carte CPx ou e-CPS
// obligatoire » choice of the delegation forms.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { DelegationView } from '../../../shared/delegations';
import { SIGN_IN_METHOD_LABELS } from '../../../shared/second-factor';
import { ApiError, apiSend } from '../../api/client';
import { frenchInstant } from '../../components/instant';
import { DELEGATIONS_KEY } from './api';
import { ofName } from './format';

export const PSC_REQUIRED_LABEL = 'Connexion par carte CPx ou e-CPS obligatoire';

/** « Dernière connexion : mot de passe + clé d’accès, le 01/12/2026 à 22:30 ». */
export function DelegateSignInLine({ d }: { d: DelegationView }) {
  const last = d.delegate.lastSignIn;
  return (
    <span className="fr-hint-text">
      {last
        ? `Dernière connexion : ${SIGN_IN_METHOD_LABELS[last.method ?? ''] ?? 'méthode inconnue'}, le ${frenchInstant(last.at)}`
        : d.delegate.nationalId
          ? 'Pas encore connecté(e)'
          : null}
      {d.pscRequired && (
        <>
          <br />
          <strong>{PSC_REQUIRED_LABEL}</strong>
        </>
      )}
    </span>
  );
}

/** The doctor resets a staff member's second factor (journaled; the person is told by email). */
export function ResetSecondFactor({ d, who }: { d: DelegationView; who: string }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<{ severity: 'success' | 'error'; message: string } | undefined>();
  const reset = useMutation({
    mutationFn: () =>
      apiSend<void>('POST', `/api/delegations/${encodeURIComponent(d.id)}/second-factor-reset`),
    onSuccess: async () => {
      setConfirming(false);
      setResult({
        severity: 'success',
        message: `Le second facteur ${ofName(who)} a été réinitialisé. Un courriel l’en informe ; à sa prochaine connexion par mot de passe, il ou elle en enregistrera un nouveau.`,
      });
      await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
    },
    onError: (err) => {
      setConfirming(false);
      setResult({
        severity: 'error',
        message: err instanceof ApiError ? err.message : 'La réinitialisation a échoué.',
      });
    },
  });
  if (d.kind !== 'staff' || !d.delegate.hasPassword) return null;
  return (
    <div className="fr-mt-1w">
      {result && <Alert severity={result.severity} small description={result.message} className="fr-mb-1w" />}
      {confirming ? (
        <div>
          <p className="fr-text--sm fr-mb-1w">
            Ses clés d’accès, son application d’authentification et ses codes de secours seront supprimés.
          </p>
          <ul className="fr-btns-group fr-btns-group--inline fr-btns-group--sm">
            <li>
              <Button size="small" disabled={reset.isPending} onClick={() => reset.mutate()}>
                Confirmer la réinitialisation
              </Button>
            </li>
            <li>
              <Button size="small" priority="secondary" onClick={() => setConfirming(false)}>
                Annuler
              </Button>
            </li>
          </ul>
        </div>
      ) : (
        <Button
          size="small"
          priority="tertiary"
          onClick={() => {
            setResult(undefined);
            setConfirming(true);
          }}
        >
          Réinitialiser le second facteur<span className="fr-sr-only"> {ofName(who)}</span>
        </Button>
      )}
    </div>
  );
}

export function PscRequiredCheckbox({ value, onChange }: { value: boolean; onChange: (v: boolean) => void }) {
  return (
    <Checkbox
      id="connexion-psc"
      legend="Authentification"
      hintText="Si cette case est cochée, la personne ne pourra utiliser cette délégation qu’après s’être connectée avec Pro Santé Connect (carte CPx ou e-CPS), pas avec son mot de passe."
      options={[
        {
          label: PSC_REQUIRED_LABEL,
          nativeInputProps: {
            name: 'connexion-psc',
            checked: value,
            onChange: (e) => onChange(e.target.checked),
          },
        },
      ]}
    />
  );
}
