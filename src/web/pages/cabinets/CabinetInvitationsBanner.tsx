// The banner of a doctor invited to join a cabinet: « Rejoindre le cabinet » or « Décliner ».
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useSession } from '../../api/session';
import {
  answerCabinetInvitation,
  CABINET_INVITATIONS_KEY,
  CABINETS_KEY,
  fetchCabinetInvitations,
  PROPOSALS_KEY,
} from './api';

export function CabinetInvitationsBanner() {
  const session = useSession();
  const user = session.data?.user;
  const enabled = Boolean(user?.firstSignInComplete && user.isDoctor);
  const queryClient = useQueryClient();
  const invitations = useQuery({
    queryKey: CABINET_INVITATIONS_KEY,
    queryFn: fetchCabinetInvitations,
    enabled,
  });
  const [message, setMessage] = useState<string | undefined>();
  if (!enabled) return null;
  const answer = async (id: string, accept: boolean, name: string) => {
    try {
      await answerCabinetInvitation(id, accept);
      setMessage(
        accept
          ? `Vous avez rejoint le cabinet « ${name} ».`
          : `Vous avez décliné l’invitation du cabinet « ${name} ».`,
      );
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : 'La réponse n’a pas pu être enregistrée.');
    }
    await queryClient.invalidateQueries({ queryKey: CABINET_INVITATIONS_KEY });
    await queryClient.invalidateQueries({ queryKey: CABINETS_KEY });
    await queryClient.invalidateQueries({ queryKey: PROPOSALS_KEY });
  };
  return (
    <>
      {message && (
        <div className="fr-alert fr-alert--info fr-alert--sm fr-mb-3w" role="status">
          <p>{message}</p>
        </div>
      )}
      {(invitations.data ?? []).map((i) => (
        <div key={i.id} className="fr-notice fr-notice--info fr-mb-3w">
          <div className="fr-container">
            <div className="fr-notice__body">
              <p className="fr-notice__title">
                Dr {i.invitedBy.givenName} {i.invitedBy.familyName} vous invite à rejoindre le cabinet «{' '}
                {i.cabinet.name} » ({i.cabinet.address}).
              </p>
              <ul className="fr-btns-group fr-btns-group--inline-sm fr-mt-1w">
                <li>
                  <Button size="small" onClick={() => answer(i.id, true, i.cabinet.name)}>
                    Rejoindre le cabinet
                  </Button>
                </li>
                <li>
                  <Button
                    size="small"
                    priority="secondary"
                    onClick={() => answer(i.id, false, i.cabinet.name)}
                  >
                    Décliner<span className="fr-sr-only"> l’invitation du cabinet {i.cabinet.name}</span>
                  </Button>
                </li>
              </ul>
            </div>
          </div>
        </div>
      ))}
    </>
  );
}
