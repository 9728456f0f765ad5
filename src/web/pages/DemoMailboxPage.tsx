// "Courriels (démo)": every email the local SMTP server received, newest first. Demo mode only.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DemoMailboxUnavailable, fetchDemoEmail, fetchDemoEmails } from './demo-mail/api';
import { EmailBody, formatReceivedAt } from './demo-mail/EmailBody';
import { DEMO_MAILBOX_PATH } from './demo-mail/useDemoMailboxFooterItem';
import './demo-mail/demo-mail.css';

const shortDate = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'short',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

export function DemoMailboxPage() {
  const [params] = useSearchParams();
  const list = useQuery({
    queryKey: ['demo-emails'],
    queryFn: () => fetchDemoEmails(),
    refetchInterval: 5000,
  });
  const emails = list.data ?? [];
  const selectedId = params.get('id') ?? emails[0]?.id;
  const selected = useQuery({
    queryKey: ['demo-email', selectedId],
    queryFn: () => fetchDemoEmail(selectedId as string),
    enabled: selectedId !== undefined,
  });

  useEffect(() => {
    document.title = 'Courriels (démo) — Délégations de droits';
  }, []);

  if (list.error instanceof DemoMailboxUnavailable) {
    return (
      <>
        <h1>Courriels (démo)</h1>
        <Alert
          severity="info"
          as="h2"
          title="Page indisponible"
          description="La boîte aux lettres de démonstration n’existe qu’en mode démo. Les courriels de l’application sont envoyés à leurs destinataires."
        />
      </>
    );
  }

  return (
    <>
      <h1>Courriels (démo)</h1>
      <p>
        Tous les courriels envoyés par l’application en mode démo arrivent ici, du plus récent au plus ancien.
        Aucun n’est envoyé à une vraie adresse.
      </p>
      {list.isPending ? <p>Chargement des courriels…</p> : null}
      {list.error && !(list.error instanceof DemoMailboxUnavailable) ? (
        <Alert
          severity="error"
          as="h2"
          title="Erreur"
          description="Les courriels n’ont pas pu être chargés. Veuillez réessayer."
        />
      ) : null}
      {list.isSuccess && emails.length === 0 ? <p>Aucun courriel reçu pour le moment.</p> : null}
      {emails.length > 0 ? (
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <div className="demo-mail-list-header">
              <h2 className="fr-h6 fr-mb-0" id="liste-courriels">
                {emails.length === 1 ? '1 courriel reçu' : `${emails.length} courriels reçus`}
              </h2>
              <Button
                priority="tertiary"
                size="small"
                iconId="fr-icon-refresh-line"
                onClick={() => list.refetch()}
              >
                Actualiser
              </Button>
            </div>
            <ul className="demo-mail-list" aria-labelledby="liste-courriels">
              {emails.map((e) => (
                <li key={e.id}>
                  <Link
                    to={`${DEMO_MAILBOX_PATH}?id=${e.id}`}
                    aria-current={e.id === selectedId ? 'true' : undefined}
                    className="demo-mail-item"
                  >
                    <span className="demo-mail-item-subject">{e.subject || '(sans objet)'}</span>
                    <span className="demo-mail-item-meta">
                      À {e.to} —{' '}
                      <time dateTime={e.receivedAt} title={formatReceivedAt(e.receivedAt)}>
                        {shortDate.format(new Date(e.receivedAt))}
                      </time>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
          <div className="fr-col-12 fr-col-md-8">
            {selected.data ? <EmailBody email={selected.data} /> : null}
            {selected.isPending && selectedId ? <p>Chargement du courriel…</p> : null}
            {selected.error ? (
              <Alert
                severity="warning"
                title="Courriel introuvable"
                description="Ce courriel n’existe plus."
              />
            ) : null}
          </div>
        </div>
      ) : null}
    </>
  );
}
