// « Mon compte » → « Notifications par courriel »: the optional notifications, each on or off.
// The security ones (a delegation created, rights widened, a delegation deleted) are always sent.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { OPTIONAL_NOTIFICATION_LABELS, OPTIONAL_NOTIFICATIONS } from '../../../shared/delegation-requests';
import { ApiError } from '../../api/client';
import { fetchNotifications, NOTIFICATIONS_KEY, saveNotifications } from './lifecycle-api';

export function NotificationPreferences() {
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: NOTIFICATIONS_KEY, queryFn: fetchNotifications });
  const [enabled, setEnabled] = useState<string[] | undefined>();
  useEffect(() => {
    if (current.data && enabled === undefined) setEnabled(current.data.enabled);
  }, [current.data, enabled]);
  const save = useMutation({
    mutationFn: (list: string[]) => saveNotifications(list),
    onSuccess: async (data) => {
      setEnabled(data.enabled);
      await queryClient.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (enabled) save.mutate(enabled);
  };
  return (
    <section aria-labelledby="titre-notifications" className="fr-mt-6w">
      <h2 id="titre-notifications" className="fr-h4">
        Notifications par courriel
      </h2>
      <p className="fr-text--sm">
        Vous êtes toujours prévenu(e) par courriel quand une délégation vous est accordée, quand vos droits
        sont élargis et quand une délégation est supprimée : ces notifications de sécurité ne peuvent pas être
        désactivées.
      </p>
      {!enabled ? (
        <p>Chargement…</p>
      ) : (
        <form onSubmit={onSubmit}>
          <Checkbox
            legend="Me prévenir aussi quand :"
            options={OPTIONAL_NOTIFICATIONS.map((kind) => ({
              label: OPTIONAL_NOTIFICATION_LABELS[kind],
              nativeInputProps: {
                name: 'notifications',
                value: kind,
                checked: enabled.includes(kind),
                onChange: (e) =>
                  setEnabled(e.target.checked ? [...enabled, kind] : enabled.filter((k) => k !== kind)),
              },
            }))}
          />
          <Button type="submit" priority="secondary" disabled={save.isPending}>
            Enregistrer mes choix de notifications
          </Button>
          <div aria-live="polite">
            {save.isSuccess && (
              <Alert
                className="fr-mt-2w"
                severity="success"
                small
                description="Vos choix de notifications sont enregistrés."
              />
            )}
            {save.isError && (
              <Alert
                className="fr-mt-2w"
                severity="error"
                small
                description={
                  save.error instanceof ApiError ? save.error.message : 'L’enregistrement a échoué.'
                }
              />
            )}
          </div>
        </form>
      )}
    </section>
  );
}
