// In the staff delegation form: « Modèle de droits » (the cabinet's templates fill the rights) and
// « Proposer la même délégation aux médecins de mon cabinet » with the colleagues to choose.
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useQuery } from '@tanstack/react-query';
import type { Right } from '../../../shared/rights';
import { CABINETS_KEY, fetchCabinets } from './api';

export interface ShareValue {
  enabled: boolean;
  cabinetId: string;
  colleagueIds: string[];
}

export const NO_SHARE: ShareValue = { enabled: false, cabinetId: '', colleagueIds: [] };

function useCabinets() {
  return useQuery({ queryKey: CABINETS_KEY, queryFn: fetchCabinets });
}

export function RightsTemplateSelect({ onChoose }: { onChoose: (rights: Right[]) => void }) {
  const cabinets = useCabinets();
  const templates = (cabinets.data ?? []).flatMap((c) => c.templates.map((t) => ({ ...t, cabinet: c.name })));
  if (templates.length === 0) return null;
  return (
    <Select
      label="Modèle de droits (facultatif)"
      hint="Le modèle coche les droits ci-dessous ; vous pouvez ensuite les ajuster."
      nativeSelectProps={{
        id: 'modele-droits',
        defaultValue: '',
        onChange: (e) => {
          const chosen = templates.find((t) => t.id === e.target.value);
          if (chosen) onChoose(chosen.rights);
        },
      }}
    >
      <option value="" disabled>
        Choisir un modèle
      </option>
      {templates.map((t) => (
        <option key={t.id} value={t.id}>
          {cabinets.data && cabinets.data.length > 1 ? `${t.name} — ${t.cabinet}` : t.name}
        </option>
      ))}
    </Select>
  );
}

export function ShareWithCabinet({
  value,
  onChange,
  error,
}: {
  value: ShareValue;
  onChange: (value: ShareValue) => void;
  error?: string;
}) {
  const cabinets = useCabinets();
  const withColleagues = (cabinets.data ?? []).filter((c) => c.members.some((m) => !m.isMe));
  if (withColleagues.length === 0) return null;
  const cabinet = withColleagues.find((c) => c.id === value.cabinetId) ?? withColleagues[0];
  if (!cabinet) return null;
  const colleagues = cabinet.members.filter((m) => !m.isMe);
  return (
    <div className="fr-fieldset__element fr-mt-2w">
      <Checkbox
        id="proposer-cabinet"
        options={[
          {
            label: 'Proposer la même délégation aux médecins de mon cabinet',
            hintText:
              'Chaque médecin choisi recevra un courriel et décidera lui-même : rien n’est délégué sur ses dossiers avant qu’il accepte.',
            nativeInputProps: {
              name: 'proposer-cabinet',
              checked: value.enabled,
              onChange: (e) =>
                onChange({
                  enabled: e.target.checked,
                  cabinetId: cabinet.id,
                  colleagueIds: e.target.checked ? colleagues.map((m) => m.id) : [],
                }),
            },
          },
        ]}
      />
      {value.enabled && (
        <>
          {withColleagues.length > 1 && (
            <Select
              label="Cabinet"
              nativeSelectProps={{
                id: 'proposer-cabinet-choix',
                value: cabinet.id,
                onChange: (e) => onChange({ enabled: true, cabinetId: e.target.value, colleagueIds: [] }),
              }}
            >
              {withColleagues.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Select>
          )}
          <Checkbox
            id="proposer-medecins"
            legend="Médecins à qui proposer cette délégation"
            state={error ? 'error' : 'default'}
            stateRelatedMessage={error}
            options={colleagues.map((m) => ({
              label: `Dr ${m.givenName} ${m.familyName}`,
              nativeInputProps: {
                name: 'proposer-medecins',
                value: m.id,
                checked: value.colleagueIds.includes(m.id),
                onChange: (e) =>
                  onChange({
                    ...value,
                    cabinetId: cabinet.id,
                    colleagueIds: e.target.checked
                      ? [...value.colleagueIds, m.id]
                      : value.colleagueIds.filter((id) => id !== m.id),
                  }),
              },
            }))}
          />
        </>
      )}
    </div>
  );
}
