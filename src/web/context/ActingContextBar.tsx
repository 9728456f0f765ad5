// Under the header of every page: for whom the signed-in person acts now, with what rights, and
// the selector "Agir pour le compte de" when there is a choice. Nothing for a doctor who has no
// delegation received (he always acts for himself) or for someone not signed in.
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Notice } from '@codegouvfr/react-dsfr/Notice';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { DelegatedContext } from '../../shared/access';
import { RIGHT_LABELS, RIGHTS } from '../../shared/rights';
import { focusMainHeading } from '../layout/page';
import { type ActingContext, doctorName, useActingContext } from './useActingContext';
import './context.css';

export function rightsSentence(d: Pick<DelegatedContext, 'kind' | 'rights'>): string {
  if (d.kind === 'peer') return 'les mêmes droits que le médecin';
  return RIGHTS.filter((r) => d.rights.includes(r))
    .map((r) => RIGHT_LABELS[r].toLocaleLowerCase('fr-FR'))
    .join(', ');
}

export function contextSentence(d: DelegatedContext): string {
  return `Vous agissez pour le compte du ${doctorName(d)} — droits : ${rightsSentence(d)}${
    d.endsOn ? `, jusqu’au ${frenchDay(d.endsOn)} inclus` : ''
  }.`;
}

function frenchDay(date: string): string {
  const [y, m, d] = date.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

export function ActingContextBar() {
  const acting = useActingContext();
  const { state } = acting;
  if (state.status === 'loading' || state.status === 'signed-out') return null;
  if (state.status === 'self' && acting.delegated.length === 0 && !acting.lost) return null;
  // Without any active delegation, the pages that need one say so themselves (and name the
  // doctor whose delegation just ended): one message, not one here too; elsewhere (an
  // invitation about to be finalised, say) there is nothing to say.
  if (state.status === 'none') return null;
  return (
    <section aria-label="Contexte d’action" className="acting-context fr-mb-4w">
      {acting.lost && (
        <Notice
          className="fr-mb-1w"
          severity="warning"
          isClosable
          onClose={acting.dismissLost}
          title={`Vous n’agissez plus pour le compte du ${acting.lost} : sa délégation de droits n’est plus active.`}
          description="L’accès à ses dossiers vous est refusé."
        />
      )}
      <ContextNotice acting={acting} />
    </section>
  );
}

function ContextNotice({ acting }: { acting: ActingContext }) {
  const { state } = acting;
  if (state.status === 'error') {
    return <Notice severity="warning" title={state.message} />;
  }
  const title =
    state.status === 'delegated'
      ? contextSentence(state.context)
      : state.status === 'self'
        ? 'Vous agissez pour votre propre compte, sur vos dossiers.'
        : 'Choisissez pour le compte de quel médecin vous agissez.';
  const choices = acting.delegated.length + (acting.self ? 1 : 0);
  return (
    <div className="fr-notice fr-notice--info acting-context-notice">
      <div className="fr-container">
        <div className="fr-notice__body acting-context-body">
          <p className="fr-notice__title" id="contexte-actuel" aria-live="polite">
            {title}
          </p>
          {choices > 1 && <ContextSelector acting={acting} />}
        </div>
      </div>
    </div>
  );
}

/** "Agir pour le compte de": a select and a button, so that moving through it changes nothing. */
export function ContextSelector({ acting }: { acting: ActingContext }) {
  const id = useId();
  const current =
    acting.state.status === 'delegated' ? acting.state.context.delegatorId : acting.self ? 'self' : '';
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!value) return;
    const pressed = document.activeElement;
    acting.choose(value === 'self' ? null : value);
    // The page now shows another doctor's dossiers: its heading takes the focus (and is read).
    focusMainHeading(pressed);
  };
  return (
    <form className="acting-context-form" onSubmit={onSubmit}>
      <Select
        label="Agir pour le compte de"
        nativeSelectProps={{
          id: `agir-pour-${id}`,
          value,
          onChange: (e) => setValue(e.target.value),
        }}
      >
        {!acting.self && current === '' && (
          <option value="" disabled>
            Choisir un médecin
          </option>
        )}
        {acting.self && <option value="self">Moi-même (mes dossiers)</option>}
        {acting.delegated.map((d) => (
          <option key={d.delegatorId} value={d.delegatorId}>
            {doctorName(d)}
            {d.specialty ? ` — ${d.specialty}` : ''}
          </option>
        ))}
      </Select>
      <Button type="submit" priority="secondary" size="small" disabled={!value || value === current}>
        Changer
      </Button>
    </form>
  );
}
