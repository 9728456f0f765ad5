// « Délégation expirée », told to both sides (optional: « Mon compte » can turn it off), on the
// daily job's transaction that journals the expiry.
import type { Selectable, Transaction } from 'kysely';
import { frenchDate } from '../../shared/calendar.js';
import type { Database } from '../context.js';
import { queueEmail, renderEmail } from '../mail/index.js';
import { wants } from './notify.js';
import type { DelegationsTable } from './tables.js';

export async function expiredEmails(
  trx: Transaction<Database>,
  row: Selectable<DelegationsTable>,
  delegateName: string,
  publicUrl: string,
): Promise<void> {
  const endsOn = frenchDate(row.ends_on as string);
  const doctor = await trx
    .selectFrom('users')
    .select(['id', 'email', 'given_name', 'family_name'])
    .where('id', '=', row.delegator_id)
    .executeTakeFirst();
  if (doctor?.email && (await wants(trx, doctor.id, 'delegation_expired'))) {
    await queueEmail(trx, {
      to: doctor.email,
      kind: 'delegation_expired',
      subject: `La délégation de droits de ${delegateName} est arrivée à son terme`,
      ...renderEmail({
        title: 'Délégation de droits expirée',
        paragraphs: [
          `La délégation de droits accordée à ${delegateName} a pris fin le ${endsOn}.`,
          'Cette personne n’a plus accès à vos dossiers. Pour lui redonner accès, ajoutez une nouvelle délégation depuis « Mes délégations ».',
        ],
        action: { label: 'Voir mes délégations', url: `${publicUrl}/delegations` },
      }),
    });
  }
  // The delegate, if he or she ever had access (a staff invitation never finalised: nothing to say).
  if (!row.delegate_national_id || !doctor) return;
  const delegate = await trx
    .selectFrom('users')
    .select(['id', 'email'])
    .where('subject_name_id', '=', row.delegate_national_id)
    .executeTakeFirst();
  if (delegate?.email && (await wants(trx, delegate.id, 'delegation_expired'))) {
    const dr = `Dr ${doctor.given_name} ${doctor.family_name.toUpperCase()}`;
    await queueEmail(trx, {
      to: delegate.email,
      kind: 'delegation_expired',
      subject: `Votre délégation de droits du ${dr} est arrivée à son terme`,
      ...renderEmail({
        title: 'Délégation de droits expirée',
        paragraphs: [
          `La délégation de droits que le ${dr} vous avait accordée a pris fin le ${endsOn}.`,
          'Vous n’avez plus accès à ses dossiers. Vous pouvez lui demander une nouvelle délégation depuis « Délégations reçues ».',
        ],
        action: { label: 'Voir les délégations reçues', url: `${publicUrl}/delegations-recues` },
      }),
    });
  }
}
