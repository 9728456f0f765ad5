// « Proposée par Dr … »: the delegations a colleague of the doctor's cabinet proposes to him or
// her, at the top of « Mes délégations », each with « Accepter » (rights and period can be changed
// first) and « Refuser ». Nothing is delegated on the doctor's dossiers before « Accepter ».
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { ProposalView } from '../../../shared/cabinets';
import type { Right } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { DELEGATIONS_KEY } from '../delegations/api';
import {
  fieldError,
  Period,
  PeriodFieldset,
  type PeriodValue,
  periodPayload,
  RightsFieldset,
  RightsSummary,
} from '../delegations/components';
import { todayInParis } from '../delegations/format';
import { acceptProposal, fetchProposals, PROPOSALS_KEY, refuseProposal } from './api';
import './cabinets.css';

const dr = (p: { givenName: string; familyName: string }) =>
  `Dr ${p.givenName} ${p.familyName.toLocaleUpperCase('fr-FR')}`;

export function ProposalsSection() {
  const queryClient = useQueryClient();
  const proposals = useQuery({ queryKey: PROPOSALS_KEY, queryFn: fetchProposals });
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | undefined>();
  if (!proposals.data || (proposals.data.length === 0 && !message)) return null;
  const answered = async (severity: 'success' | 'error', text: string) => {
    setMessage({ severity, text });
    await queryClient.invalidateQueries({ queryKey: PROPOSALS_KEY });
    await queryClient.invalidateQueries({ queryKey: DELEGATIONS_KEY });
  };
  return (
    <section aria-labelledby="propositions" className="fr-mb-6w">
      <h2 id="propositions">Délégations proposées par les médecins de mon cabinet</h2>
      {message && (
        <div role="status" className="fr-mb-3w">
          <Alert severity={message.severity} small description={message.text} />
        </div>
      )}
      {proposals.data.map((p) => (
        <Proposal key={p.id} proposal={p} onAnswered={answered} />
      ))}
    </section>
  );
}

function Proposal({
  proposal: p,
  onAnswered,
}: {
  proposal: ProposalView;
  onAnswered: (severity: 'success' | 'error', text: string) => Promise<void>;
}) {
  const [open, setOpen] = useState(false);
  const [rights, setRights] = useState<Right[]>(p.rights);
  const [period, setPeriod] = useState<PeriodValue>({
    // A proposal made days ago cannot start in the past: today at the earliest.
    startsOn: [p.startsOn, todayInParis()].sort()[1] as string,
    endsOn: p.endsOn ?? '',
    noEnd: p.endsOn === null,
  });
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const who = `${p.delegate.givenName} ${p.delegate.familyName}`;
  const headingId = `proposition-${p.id}`;

  const accept = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await acceptProposal(p.id, { rights, ...periodPayload(period, true) });
      await onAnswered(
        'success',
        `Vous avez accepté la délégation proposée par ${dr(p.proposer)} : ${who} pourra gérer vos dossiers dès sa délégation finalisée.`,
      );
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'L’acceptation a échoué.'));
    } finally {
      setBusy(false);
    }
  };
  const refuse = async () => {
    setBusy(true);
    try {
      await refuseProposal(p.id);
      await onAnswered(
        'success',
        `Vous avez refusé la délégation proposée par ${dr(p.proposer)} : rien n’est délégué sur vos dossiers.`,
      );
    } catch (err) {
      await onAnswered('error', err instanceof ApiError ? err.message : 'Le refus a échoué.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="fr-callout proposal" aria-labelledby={headingId}>
      <h3 className="fr-callout__title fr-h5" id={headingId}>
        Proposée par {dr(p.proposer)} ({p.cabinet.name})
      </h3>
      <div className="fr-callout__text fr-text--md">
        <p className="fr-mb-1w">
          {who}
          {p.delegate.profession ? `, ${p.delegate.profession}` : ''}
          {p.delegate.email ? ` (${p.delegate.email})` : ''}
        </p>
        <p className="fr-mb-0">Droits proposés :</p>
        <RightsSummary kind="staff" rights={p.rights} />
        <p className="fr-mb-1w">
          Période proposée : <Period startsOn={p.startsOn} endsOn={p.endsOn} />
        </p>
      </div>
      <p className="fr-text--sm">Rien n’est délégué sur vos dossiers tant que vous n’avez pas accepté.</p>
      {open ? (
        <form onSubmit={accept} noValidate>
          {error && <Alert severity="error" small description={error.message} className="fr-mb-2w" />}
          <RightsFieldset
            legend={<span className="fr-text--bold">Droits que vous accordez sur vos dossiers</span>}
            rights={rights}
            onChange={setRights}
            error={fieldError(error, 'rights')}
          />
          <PeriodFieldset
            legend={<span className="fr-text--bold">Période</span>}
            value={period}
            onChange={setPeriod}
            allowNoEnd
            minStart={todayInParis()}
            startError={fieldError(error, 'startsOn')}
            endError={fieldError(error, 'endsOn')}
          />
          <ul className="fr-btns-group fr-btns-group--inline-md">
            <li>
              <Button type="submit" disabled={busy}>
                Accepter la délégation
              </Button>
            </li>
            <li>
              <Button priority="secondary" onClick={() => setOpen(false)}>
                Annuler
              </Button>
            </li>
          </ul>
        </form>
      ) : (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button disabled={busy} onClick={() => setOpen(true)}>
              Accepter<span className="fr-sr-only"> la délégation proposée par {dr(p.proposer)}</span>
            </Button>
          </li>
          <li>
            <Button priority="secondary" disabled={busy} onClick={refuse}>
              Refuser<span className="fr-sr-only"> la délégation proposée par {dr(p.proposer)}</span>
            </Button>
          </li>
        </ul>
      )}
    </article>
  );
}
