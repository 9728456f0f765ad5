// « Mon cabinet » (under « Mon compte »): the doctor's cabinets with their members, the
// colleagues invited and not yet answered, the « Modèles de droits », « Inviter un confrère »
// (national directory), « Quitter le cabinet », and « Créer un cabinet ».
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { CabinetView } from '../../../shared/cabinets';
import { frenchDate } from '../../../shared/calendar';
import type { Right } from '../../../shared/rights';
import { ApiError } from '../../api/client';
import { DataTable } from '../../components/DataTable';
import {
  DoctorOnly,
  fieldError,
  LoadError,
  Loading,
  RightsFieldset,
  RightsSummary,
  useTitle,
} from '../delegations/components';
import { DirectorySearch, displayName } from '../directory';
import {
  CABINETS_KEY,
  createCabinet,
  createTemplate,
  deleteTemplate,
  fetchCabinets,
  inviteColleague,
  leaveCabinet,
} from './api';
import './cabinets.css';

const TITLE = 'Mon cabinet';

interface Flash {
  severity: 'success' | 'error';
  message: string;
}

export function CabinetPage() {
  useTitle(TITLE);
  return <DoctorOnly title={TITLE}>{() => <Cabinets />}</DoctorOnly>;
}

const failure = (err: unknown, fallback: string): Flash => ({
  severity: 'error',
  message: err instanceof ApiError ? err.message : fallback,
});

function Cabinets() {
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: CABINETS_KEY, queryFn: fetchCabinets });
  const [flash, setFlash] = useState<Flash | undefined>();
  const flashRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (flash) flashRef.current?.focus();
  }, [flash]);
  const done = async (message: Flash) => {
    setFlash(message);
    await queryClient.invalidateQueries({ queryKey: CABINETS_KEY });
  };

  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} title={TITLE} />;

  return (
    <>
      <Breadcrumb
        currentPageLabel={TITLE}
        segments={[{ label: 'Mon compte', linkProps: { to: '/mon-compte' } }]}
      />
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">
        Les médecins d’un même cabinet peuvent se proposer les délégations de droits de leur personnel. Chacun
        reste seul à décider de ce qui est délégué sur ses propres dossiers.
      </p>
      {flash && (
        <div ref={flashRef} tabIndex={-1} className="fr-mb-4w">
          <Alert severity={flash.severity} small description={flash.message} />
        </div>
      )}
      {list.data.length === 0 && <p>Vous n’êtes membre d’aucun cabinet.</p>}
      {list.data.map((cabinet) => (
        <CabinetSection key={cabinet.id} cabinet={cabinet} onDone={done} />
      ))}
      <CreateCabinet onDone={done} />
    </>
  );
}

function CabinetSection({ cabinet, onDone }: { cabinet: CabinetView; onDone: (f: Flash) => Promise<void> }) {
  const [inviting, setInviting] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>, success: string, fallback: string) => {
    setBusy(true);
    try {
      await work();
      await onDone({ severity: 'success', message: success });
    } catch (err) {
      await onDone(failure(err, fallback));
    } finally {
      setBusy(false);
    }
  };
  const headingId = `cabinet-${cabinet.id}`;
  return (
    <section aria-labelledby={headingId} className="cabinet fr-mb-6w">
      <h2 id={headingId}>{cabinet.name}</h2>
      <p className="fr-mb-1w">{cabinet.address}</p>
      {(cabinet.finess || cabinet.siret) && (
        <p className="fr-text--sm">
          {cabinet.finess && <>FINESS : {cabinet.finess}. </>}
          {cabinet.siret && <>SIRET : {cabinet.siret}.</>}
        </p>
      )}
      <DataTable
        caption={`Membres du cabinet (${cabinet.members.length})`}
        headers={['Médecin', 'Spécialité', 'Membre depuis le']}
        rows={cabinet.members.map((m) => ({
          key: m.id,
          cells: [
            `Dr ${m.givenName} ${m.familyName}${m.isMe ? ' (vous)' : ''}`,
            m.specialty ?? '—',
            frenchDate(m.joinedAt.slice(0, 10)),
          ],
        }))}
      />
      <h3 className="fr-h5">Invitations en attente</h3>
      {cabinet.invitations.length === 0 ? (
        <p>Aucune invitation en attente de réponse.</p>
      ) : (
        <ul>
          {cabinet.invitations.map((i) => (
            <li key={i.id}>
              Dr {i.givenName} {i.familyName} — invité(e) le {frenchDate(i.sentAt.slice(0, 10))}
            </li>
          ))}
        </ul>
      )}
      {inviting ? (
        <div className="fr-mb-4w">
          <h3 className="fr-h5">Inviter un confrère</h3>
          <DirectorySearch
            profession="10"
            resultsLabel="Médecins trouvés"
            onSelect={(person) => {
              if (!person.rpps) {
                void onDone({
                  severity: 'error',
                  message: 'Ce médecin n’a pas de numéro RPPS dans l’annuaire.',
                });
                return;
              }
              void run(
                () => inviteColleague(cabinet.id, person.rpps as string),
                `${displayName(person)} est invité(e) à rejoindre le cabinet « ${cabinet.name} ».`,
                'L’invitation n’a pas pu être envoyée.',
              ).then(() => setInviting(false));
            }}
          />
          <Button priority="tertiary" onClick={() => setInviting(false)}>
            Fermer la recherche
          </Button>
        </div>
      ) : (
        <Button
          priority="secondary"
          iconId="fr-icon-user-add-line"
          className="fr-mb-4w"
          onClick={() => setInviting(true)}
        >
          Inviter un confrère
        </Button>
      )}
      <Templates cabinet={cabinet} run={run} busy={busy} />
      <h3 className="fr-h5">Quitter le cabinet</h3>
      <p>
        Les délégations que vous avez déjà acceptées restent en place (vous pouvez les supprimer depuis « Mes
        délégations ») ; aucune délégation ne pourra plus vous être proposée dans ce cabinet.
      </p>
      {leaving ? (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li>
            <Button
              disabled={busy}
              onClick={() =>
                run(
                  () => leaveCabinet(cabinet.id),
                  `Vous avez quitté le cabinet « ${cabinet.name} ».`,
                  'Le départ du cabinet a échoué.',
                )
              }
            >
              Confirmer : quitter « {cabinet.name} »
            </Button>
          </li>
          <li>
            <Button priority="secondary" onClick={() => setLeaving(false)}>
              Annuler
            </Button>
          </li>
        </ul>
      ) : (
        <Button priority="tertiary" onClick={() => setLeaving(true)}>
          Quitter le cabinet<span className="fr-sr-only"> {cabinet.name}</span>
        </Button>
      )}
    </section>
  );
}

function Templates({
  cabinet,
  run,
  busy,
}: {
  cabinet: CabinetView;
  run: (work: () => Promise<unknown>, success: string, fallback: string) => Promise<void>;
  busy: boolean;
}) {
  const [name, setName] = useState('');
  const [rights, setRights] = useState<Right[]>(['consulter']);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await createTemplate(cabinet.id, { name, rights });
      await run(async () => {}, `Le modèle de droits « ${name.trim()} » a été ajouté.`, '');
      setName('');
      setAdding(false);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'L’ajout du modèle a échoué.'));
    }
  };
  return (
    <>
      <DataTable
        caption="Modèles de droits"
        headers={['Modèle', 'Droits', 'Action']}
        rows={cabinet.templates.map((t) => ({
          key: t.id,
          cells: [
            t.name,
            <RightsSummary key="r" kind="staff" rights={t.rights} />,
            <Button
              key="a"
              priority="tertiary"
              size="small"
              disabled={busy}
              onClick={() =>
                run(
                  () => deleteTemplate(t.id),
                  `Le modèle « ${t.name} » a été supprimé.`,
                  'La suppression a échoué.',
                )
              }
            >
              Supprimer<span className="fr-sr-only"> le modèle {t.name}</span>
            </Button>,
          ],
        }))}
      />
      {adding ? (
        <form onSubmit={onSubmit} noValidate className="fr-mb-4w">
          {error && !fieldError(error, 'name') && !fieldError(error, 'rights') && (
            <Alert severity="error" small description={error.message} className="fr-mb-2w" />
          )}
          <Input
            label="Nom du modèle"
            state={fieldError(error, 'name') ? 'error' : 'default'}
            stateRelatedMessage={fieldError(error, 'name')}
            nativeInputProps={{
              id: 'modele-nom',
              maxLength: 80,
              value: name,
              onChange: (e) => setName(e.target.value),
            }}
          />
          <RightsFieldset
            legend="Droits du modèle"
            rights={rights}
            onChange={setRights}
            error={fieldError(error, 'rights')}
          />
          <ul className="fr-btns-group fr-btns-group--inline-md">
            <li>
              <Button type="submit">Ajouter le modèle</Button>
            </li>
            <li>
              <Button priority="secondary" onClick={() => setAdding(false)}>
                Annuler
              </Button>
            </li>
          </ul>
        </form>
      ) : (
        <Button
          priority="secondary"
          iconId="fr-icon-add-line"
          className="fr-mb-4w"
          onClick={() => setAdding(true)}
        >
          Ajouter un modèle de droits
        </Button>
      )}
    </>
  );
}

function CreateCabinet({ onDone }: { onDone: (f: Flash) => Promise<void> }) {
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [finess, setFiness] = useState('');
  const [siret, setSiret] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const err = (field: string) => fieldError(error, field);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await createCabinet({ name, address, finess, siret });
      await onDone({ severity: 'success', message: `Le cabinet « ${name.trim()} » a été créé.` });
      setName('');
      setAddress('');
      setFiness('');
      setSiret('');
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', 'La création du cabinet a échoué.'));
    } finally {
      setBusy(false);
    }
  };
  const field = (
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    max: number,
    hint?: string,
  ) => (
    <div className="fr-fieldset__element">
      <Input
        label={label}
        hintText={hint}
        state={err(id) ? 'error' : 'default'}
        stateRelatedMessage={err(id)}
        nativeInputProps={{
          id: `cabinet-${id}`,
          maxLength: max,
          value,
          onChange: (e) => set(e.target.value),
        }}
      />
    </div>
  );
  return (
    <section aria-labelledby="creer-cabinet" className="fr-mt-6w">
      <h2 id="creer-cabinet">Créer un cabinet</h2>
      {error && <Alert severity="error" small description={error.message} className="fr-mb-2w" />}
      <form onSubmit={onSubmit} noValidate>
        <fieldset className="fr-fieldset">
          {field('name', 'Nom du cabinet', name, setName, 120)}
          {field('address', 'Adresse', address, setAddress, 300)}
          {field('finess', 'Numéro FINESS (facultatif)', finess, setFiness, 20, '9 caractères')}
          {field('siret', 'Numéro SIRET (facultatif)', siret, setSiret, 30, '14 chiffres')}
        </fieldset>
        <Button type="submit" disabled={busy}>
          Créer le cabinet
        </Button>
      </form>
    </section>
  );
}
