// Help in the flow: what each right lets a delegate see and do, and what it does not (under each
// checkbox of the add and modify forms), and where a CPx card is ordered. Adding a right to
// rights.ts fails the typecheck here until its help is written.
import type { Right } from './rights.js';

export const RIGHT_HELP: Record<Right, string> = {
  consulter:
    'Voit la liste de vos dossiers, l’identité des patients, le volet administratif et les demandes aux établissements. Ne voit pas le volet médical et ne peut rien modifier.',
  gerer:
    'Peut aussi créer des dossiers, modifier l’identité du patient et le volet administratif. Ne voit toujours pas le volet médical.',
  volet_medical:
    'Voit et complète le volet médical (antécédents, pathologies, traitements, GIR). Sans ce droit, le volet médical ne lui est jamais affiché.',
  envoyer:
    'Peut envoyer les dossiers aux établissements et annuler ces demandes. Sans ce droit, voit les demandes sans pouvoir en envoyer ni en annuler.',
};

/**
 * The ANS's page of procedures for a health professional, where the TOPS online service (cards for
 * the staff of a liberal practice) is reached. The seed's help text links « TOPS » without
 * giving the address; this official page of the Agence du Numérique en Santé names it.
 */
export const TOPS_URL = 'https://esante.gouv.fr/vos-demarches';
