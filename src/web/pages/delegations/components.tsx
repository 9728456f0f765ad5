// Pieces shared by the delegation pages: status badge, period, rights, the form's fieldsets,
// the error summary and the guards (signed in, doctor).
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import type { ReactNode, RefObject } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { periodLabel } from '../../../shared/calendar';
import { type DelegationView, END_DATE_REQUIRED, PEER_END_DATE_REQUIRED } from '../../../shared/delegations';
import { RIGHT_HELP } from '../../../shared/help';
import type { Me } from '../../../shared/identity';
import {
  DELEGATION_STATUS_LABELS,
  RIGHT_LABELS,
  RIGHT_SHORT_LABELS,
  RIGHTS,
  type Right,
} from '../../../shared/rights';
import { ApiError, type FieldError } from '../../api/client';
import { useSession } from '../../api/session';
import {
  dateProblem,
  type FieldTargets,
  ErrorSummary as SharedErrorSummary,
} from '../../components/ErrorSummary';
import { shortPeriod } from './format';

type Status = DelegationView['status'];

const STATUS_SEVERITY: Record<Status, 'success' | 'info' | 'warning' | 'error' | 'new' | undefined> = {
  pending: 'info',
  invitation_expired: 'warning',
  scheduled: 'new',
  active: 'success',
  suspended: 'warning',
  expired: 'error',
  renounced: undefined,
  deleted: undefined,
};

export function StatusBadge({ status }: { status: Status }) {
  if (status === 'scheduled') {
    // Starts on a later date: a calendar, not the design system's « nouveau » flash.
    return (
      <span className="fr-badge fr-badge--sm fr-badge--blue-ecume fr-badge--icon-left fr-icon-calendar-event-line">
        {DELEGATION_STATUS_LABELS[status]}
      </span>
    );
  }
  return (
    <Badge as="span" small severity={STATUS_SEVERITY[status]}>
      {DELEGATION_STATUS_LABELS[status]}
    </Badge>
  );
}

/** "01/12 → 31/12/2026" on screen, "du 01/12/2026 au 31/12/2026" for screen readers. */
export function Period({ startsOn, endsOn }: { startsOn: string; endsOn: string | null }) {
  return (
    <>
      <span aria-hidden="true" className="delegation-period">
        {shortPeriod(startsOn, endsOn)}
      </span>
      <span className="fr-sr-only">{periodLabel(startsOn, endsOn)}</span>
    </>
  );
}

export function RightsSummary({
  kind,
  rights,
  peerLabel = 'Mêmes droits que vous',
}: {
  kind: 'staff' | 'peer';
  rights: readonly Right[];
  peerLabel?: string;
}) {
  if (kind === 'peer') return <>{peerLabel}</>;
  return (
    <ul className="delegation-rights">
      {RIGHTS.filter((r) => rights.includes(r)).map((r) => (
        <li key={r}>
          <span aria-hidden="true">{RIGHT_SHORT_LABELS[r]}</span>
          <span className="fr-sr-only">{RIGHT_LABELS[r]}</span>
        </li>
      ))}
    </ul>
  );
}

export { usePageTitle as useTitle } from '../../layout/page';

export type { FieldTargets };

/** The fields of the rights and period steps, as every delegation form names them. */
export const RIGHTS_FIELD: FieldTargets = { rights: { id: 'droits-1', label: 'Droits d’accès' } };
export const PERIOD_FIELDS: FieldTargets = {
  startsOn: { id: 'date-debut', label: 'Date de début' },
  endsOn: { id: 'date-fin', label: 'Date de fin' },
};

/** The form's errors at its top, focused when they appear: each field named, linked, once. */
export function ErrorSummary(props: {
  error: ApiError;
  fields: FieldTargets;
  summaryRef: RefObject<HTMLDivElement | null>;
  extra?: ReactNode;
}) {
  return <SharedErrorSummary {...props} className="delegation-error-summary" />;
}

/**
 * What the browser can tell before sending: both dates complete, the start not before `minStart`
 * (today), an end date unless « Sans date de fin » is ticked, and not before the start.
 */
export function periodProblems(value: PeriodValue, allowNoEnd: boolean, minStart?: string): FieldError[] {
  const problems: FieldError[] = [];
  const start = dateProblem('date-debut', value.startsOn, true);
  if (start) problems.push({ path: 'startsOn', message: start });
  else if (minStart && value.startsOn < minStart) {
    problems.push({ path: 'startsOn', message: 'La date de début ne peut pas être dans le passé.' });
  }
  if (!(allowNoEnd && value.noEnd)) {
    const end = dateProblem('date-fin', value.endsOn, false);
    if (end) problems.push({ path: 'endsOn', message: end });
    else if (value.endsOn === '') {
      problems.push({ path: 'endsOn', message: allowNoEnd ? END_DATE_REQUIRED : PEER_END_DATE_REQUIRED });
    } else if (!start && value.endsOn < value.startsOn) {
      problems.push({
        path: 'endsOn',
        message: 'La date de fin doit être postérieure ou égale à la date de début.',
      });
    }
  }
  return problems;
}

export function fieldError(error: ApiError | undefined, name: string): string | undefined {
  return error?.field(name);
}

/** Step "droits d'accès": every right implies "Consulter les dossiers", always checked. */
export function RightsFieldset({
  legend,
  rights,
  onChange,
  error,
}: {
  legend: ReactNode;
  rights: readonly Right[];
  /** The rights chosen, and the field changed (`rights`, its error then gone). */
  onChange: (rights: Right[], field: 'rights') => void;
  error?: string;
}) {
  return (
    <Checkbox
      id="droits"
      legend={legend}
      hintText="Chaque droit comprend la consultation des dossiers : « Consulter les dossiers » est toujours accordé."
      state={error ? 'error' : 'default'}
      stateRelatedMessage={error}
      options={RIGHTS.map((code) => ({
        label: RIGHT_LABELS[code],
        hintText: RIGHT_HELP[code],
        nativeInputProps: {
          name: 'droits',
          value: code,
          checked: code === 'consulter' || rights.includes(code),
          disabled: code === 'consulter',
          onChange: (e) => {
            const set = new Set(rights);
            if (e.target.checked) set.add(code);
            else set.delete(code);
            set.add('consulter');
            onChange(
              RIGHTS.filter((r) => set.has(r)),
              'rights',
            );
          },
        },
      }))}
    />
  );
}

export interface PeriodValue {
  startsOn: string;
  endsOn: string;
  noEnd: boolean;
}

/** Step "période": start (default today), end, or "Sans date de fin" (staff only). */
export function PeriodFieldset({
  legend,
  value,
  onChange,
  allowNoEnd,
  minStart,
  startError,
  endError,
}: {
  legend: ReactNode;
  value: PeriodValue;
  /** The new period, and the field changed (its error then gone): « Sans date de fin » is the end. */
  onChange: (value: PeriodValue, field: 'startsOn' | 'endsOn') => void;
  allowNoEnd: boolean;
  minStart?: string;
  startError?: string;
  endError?: string;
}) {
  return (
    <fieldset className="fr-fieldset" id="periode">
      <legend className="fr-fieldset__legend">{legend}</legend>
      <div className="fr-fieldset__element fr-fieldset__element--inline delegation-date">
        <Input
          label="Date de début"
          hintText="Format attendu : JJ/MM/AAAA"
          state={startError ? 'error' : 'default'}
          stateRelatedMessage={startError}
          nativeInputProps={{
            id: 'date-debut',
            type: 'date',
            required: true,
            min: minStart,
            value: value.startsOn,
            onChange: (e) => onChange({ ...value, startsOn: e.target.value }, 'startsOn'),
          }}
        />
      </div>
      <div className="fr-fieldset__element fr-fieldset__element--inline delegation-date">
        <Input
          label={allowNoEnd ? 'Date de fin' : 'Date de fin (obligatoire)'}
          hintText={
            allowNoEnd
              ? 'Format attendu : JJ/MM/AAAA. Obligatoire, sauf si vous cochez « Sans date de fin ».'
              : 'Format attendu : JJ/MM/AAAA'
          }
          disabled={allowNoEnd && value.noEnd}
          state={endError ? 'error' : 'default'}
          stateRelatedMessage={endError}
          nativeInputProps={{
            id: 'date-fin',
            type: 'date',
            required: !(allowNoEnd && value.noEnd),
            min: value.startsOn || minStart,
            value: allowNoEnd && value.noEnd ? '' : value.endsOn,
            onChange: (e) => onChange({ ...value, endsOn: e.target.value }, 'endsOn'),
          }}
        />
      </div>
      {allowNoEnd && (
        <div className="fr-fieldset__element">
          <Checkbox
            id="sans-date-de-fin"
            options={[
              {
                label: 'Sans date de fin',
                hintText: 'Un rappel annuel vous proposera de vérifier cette délégation.',
                nativeInputProps: {
                  name: 'sans-date-de-fin',
                  checked: value.noEnd,
                  onChange: (e) => onChange({ ...value, noEnd: e.target.checked }, 'endsOn'),
                },
              },
            ]}
          />
        </div>
      )}
    </fieldset>
  );
}

/** `null` only for « Sans date de fin »: a blank end date is sent blank, and refused. */
export function periodPayload(value: PeriodValue, allowNoEnd: boolean) {
  return {
    startsOn: value.startsOn,
    endsOn: allowNoEnd && value.noEnd ? null : value.endsOn,
  };
}

function Loading() {
  return (
    <p aria-live="polite" className="loading">
      Chargement…
    </p>
  );
}

/** Renders its children with the signed-in user, or sends to sign-in (coming back here after). */
export function SignedIn({ children }: { children: (user: Me) => ReactNode }) {
  const session = useSession();
  const { pathname, search } = useLocation();
  if (session.isPending) return <Loading />;
  if (session.isError) {
    return (
      <Alert
        severity="error"
        as="h2"
        title="Impossible d’afficher cette page"
        description={
          session.error instanceof ApiError
            ? session.error.message
            : 'Veuillez réessayer dans quelques instants.'
        }
      />
    );
  }
  const user = session.data.user;
  if (!user) return <Navigate to={`/connexion?retour=${encodeURIComponent(pathname + search)}`} replace />;
  return <>{children(user)}</>;
}

export function NotADoctor({ title }: { title: string }) {
  return (
    <>
      <h1>{title}</h1>
      <Alert
        severity="info"
        as="h2"
        title="Page réservée aux médecins"
        description={
          <>
            Seuls les médecins peuvent déléguer la gestion de leurs dossiers. Si un médecin vous a habilité(e)
            à gérer ses dossiers, retrouvez sa délégation dans{' '}
            <Link to="/delegations-recues">Délégations reçues</Link>.
          </>
        }
      />
    </>
  );
}

/** Signed in and a doctor; otherwise the reason, in French. */
export function DoctorOnly({ title, children }: { title: string; children: (user: Me) => ReactNode }) {
  return <SignedIn>{(user) => (user.isDoctor ? children(user) : <NotADoctor title={title} />)}</SignedIn>;
}

export function LoadError({ error, title }: { error: unknown; title: string }) {
  if (error instanceof ApiError && error.status === 403) return <NotADoctor title={title} />;
  return (
    <>
      <h1>{title}</h1>
      <Alert
        severity="error"
        as="h2"
        title="Impossible d’afficher cette page"
        description={error instanceof ApiError ? error.message : 'Veuillez réessayer dans quelques instants.'}
      />
    </>
  );
}

export { Loading };
