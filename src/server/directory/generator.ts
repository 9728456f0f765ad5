// A synthetic national directory in the exact ANS format (56 columns: the 52 of the reference
// plus the 4 appended in recent files), for the demo and the benchmark. Deterministic for a
// seed. Always holds the demo people of PRODUCT.md, exactly as in annuaire-sample.txt. It has
// the shapes of the real extracts: the town given only in « Bureau cedex » (« Libellé commune »
// empty), structures known only by their « Enseigne », lines repeated, persons with two
// professions, persons whose rows are not contiguous, Saint-Martin and Saint-Barthélemy; and
// about the real line length (SIRET, FINESS, INSEE code, e-mail filled where real rows have them).
import { Readable } from 'node:stream';
import { Temporal } from 'temporal-polyfill';
import { PROFESSIONS } from './codes.js';
import { departmentOf } from './normalize.js';

export const HEADER_52 = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Code civilité d'exercice",
  "Libellé civilité d'exercice",
  'Code civilité',
  'Libellé civilité',
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code profession',
  'Libellé profession',
  'Code catégorie professionnelle',
  'Libellé catégorie professionnelle',
  'Code type savoir-faire',
  'Libellé type savoir-faire',
  'Code savoir-faire',
  'Libellé savoir-faire',
  'Code mode exercice',
  'Libellé mode exercice',
  'Numéro SIRET site',
  'Numéro SIREN site',
  'Numéro FINESS site',
  'Numéro FINESS établissement juridique',
  'Identifiant technique de la structure',
  'Raison sociale site',
  'Enseigne commerciale site',
  'Complément destinataire (coord. structure)',
  'Complément point géographique (coord. structure)',
  'Numéro Voie (coord. structure)',
  'Indice répétition voie (coord. structure)',
  'Code type de voie (coord. structure)',
  'Libellé type de voie (coord. structure)',
  'Libellé Voie (coord. structure)',
  'Mention distribution (coord. structure)',
  'Bureau cedex (coord. structure)',
  'Code postal (coord. structure)',
  'Code commune (coord. structure)',
  'Libellé commune (coord. structure)',
  'Code pays (coord. structure)',
  'Libellé pays (coord. structure)',
  'Téléphone (coord. structure)',
  'Téléphone 2 (coord. structure)',
  'Télécopie (coord. structure)',
  'Adresse e-mail (coord. structure)',
  'Code Département (structure)',
  'Libellé Département (structure)',
  'Ancien identifiant de la structure',
  "Autorité d'enregistrement",
  "Code secteur d'activité",
  "Libellé secteur d'activité",
  'Code section tableau pharmaciens',
  'Libellé section tableau pharmaciens',
];
export const APPENDED_COLUMNS = [
  'Code rôle',
  'Libellé rôle',
  'Code genre activité',
  'Libellé genre activité',
];
export const HEADER_56 = [...HEADER_52, ...APPENDED_COLUMNS];

/** The rows of annuaire-sample.txt, verbatim (52 columns); the demo relies on these people. */
export const SAMPLE_ROWS = [
  '8|10001234565|810001234565|DR|Docteur|MME|Madame|MARTIN|Camille|10|Médecin|C|Civil|S|Spécialité ordinale|SM54|Médecine générale|L|Libéral|||||R10000001|CABINET DU DR MARTIN||||12||R|Rue|DE LA PART-DIEU||69003 LYON|69003||Lyon|99000|France|0478000001||||69|Rhône||CNOM/CNOM/CNOM|SA07|Cabinet individuel|||',
  '8|10002345675|810002345675|DR|Docteur|M|Monsieur|LEFÈVRE|Jean-Pierre|10|Médecin|C|Civil|S|Spécialité ordinale|SM54|Médecine générale|L|Libéral|||||R10000002|CABINET MÉDICAL DES BROTTEAUX||||4||BD|Boulevard|DES BELGES||69006 LYON|69006||Lyon|99000|France|||||69|Rhône||CNOM/CNOM/CNOM|SA07|Cabinet individuel|||',
  '8|10002345675|810002345675|DR|Docteur|M|Monsieur|LEFÈVRE|Jean-Pierre|10|Médecin|C|Civil|S|Spécialité ordinale|SM54|Médecine générale|S|Salarié|||||R10000003|EHPAD LES GLYCINES||||7||AV|Avenue|ROGER SALENGRO||69100 VILLEURBANNE|69100||Villeurbanne|99000|France|||||69|Rhône||CNOM/CNOM/CNOM|SA07|Cabinet individuel|||',
  "8|10003456786|810003456786|DR|Docteur|MME|Madame|N'DIAYE-LE GOFF|Aïssatou|10|Médecin|C|Civil|S|Spécialité ordinale|SM40|Pédiatrie|L|Libéral|||||R10000004|CABINET DE PÉDIATRIE||||3||PL|Place|DE LA LIBERTÉ||29200 BREST|29200||Brest|99000|France|||||29|Finistère||CNOM/CNOM/CNOM|SA07|Cabinet individuel|||",
  '8|10004567896|810004567896|DR|Docteur|MME|Madame|ROUX|Hélène|10|Médecin|C|Civil|S|Spécialité ordinale|SM04|Cardiologie et maladies vasculaires|L|Libéral|||||R10000005|CENTRE CARDIOLOGIQUE||||150||AV|Avenue|DU PRADO||13008 MARSEILLE|13008||Marseille|99000|France|||||13|Bouches-du-Rhône||CNOM/CNOM/CNOM|SA07|Cabinet individuel|||',
  '8|10005678908|810005678908|||MME|Madame|BENALI|Nadia|60|Infirmier|C|Civil|||||L|Libéral|||||R10000001|CABINET DU DR MARTIN||||||||||69003 LYON|69003||Lyon|99000|France|||||69|Rhône|||||||',
  '0|691234567|0691234567|||M|Monsieur|DUBOIS|Léo|93|Psychologue|C|Civil|||||L|Libéral|||||||||||||||||69007||Lyon|99000|France||||||||ARS/ARS/ARS|||||',
  "8|10006789019|810006789019|DR|Docteur|M|Monsieur|D'ALMEIDA|Éric|10|Médecin|C|Civil|||||||||||||||||||||||||||||||||||CNOM/CNOM/CNOM|||||",
];
/** Distinct persons in SAMPLE_ROWS. */
export const SAMPLE_PEOPLE = 7;

/** The ANS naming: PS_LibreAcces_Personne_activite_YYYYMMDDhhmm.txt, Paris time. */
export function extractFileName(date: Date): string {
  const t = Temporal.Instant.fromEpochMilliseconds(date.getTime()).toZonedDateTimeISO('Europe/Paris');
  const p = (n: number) => String(n).padStart(2, '0');
  return `PS_LibreAcces_Personne_activite_${t.year}${p(t.month)}${p(t.day)}${p(t.hour)}${p(t.minute)}.txt`;
}

// ---- word lists ---------------------------------------------------------------------------

const COMMON_FAMILY = `MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE
LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT MULLER
LEFÈVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER FRANÇOIS LEGRAND GAUTHIER GARCIA PERRIN
ROBIN CLÉMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE
NOËL MEYER DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ
GÉRARD ROCHE RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS
LACROIX OLIVIER PHILIPPE BOURGEOIS PIERRE BENOÎT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE LOPEZ
JEAN DUPUY GUILLOT HUBERT BERGER CARPENTIER SANCHEZ DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR PEREZ
BOUCHER FLEURY ROYER KLEIN JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT CHARPENTIER
MÉNARD MAILLARD BARON BERTIN BAILLY HERVÉ SCHNEIDER FERNANDEZ COLLET LÉGER BOUVIER JULIEN PRÉVOST MILLET
PERROT DANIEL COUSIN GERMAIN BRETON BESSON LANGLOIS RÉMY PELLETIER LÉVÊQUE PERRIER LEBLANC BARRÉ LEBRUN
MARCHAL WEBER MALLET HAMON BOULANGER JACOB MONNIER MICHAUD RODRIGUEZ GUICHARD GILLET ÉTIENNE GRONDIN POULAIN
TESSIER CHEVALLIER COLLIN CHAUVIN BOUCHET GAY LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU
PERRET BARTHÉLEMY CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE GUILLET BRUNEAU
THIBAULT LECOQ BOURDON BENOIT FERRAND CLERC VALLÉE GODARD RAYMOND LEDUC BONNIN MENARD DESCAMPS TANGUY
BARTHE COUTURIER MAURIN TEXIER LAGARDE MAUREL VIAL CHÂTEAU POTIER JOUBERT PAGÈS DELMAS GUIBERT CAMUS`;

const FOREIGN_FAMILY = `NGUYEN TRAN PHAM DIALLO TRAORÉ BENALI HADDAD MEZIANE KHELIFI BOUZID AMRANI CHERIF BENSAÏD
DA SILVA DOS SANTOS FERREIRA RODRIGUES PEREIRA OLIVEIRA COSTA ALVES GONÇALVES MARTINS KOUASSI KONÉ
DIOP NDIAYE SOW CISSÉ COULIBALY FOFANA MENDY ROSSI RUSSO ESPOSITO COHEN LÉVY BENHAMOU ZERBIB YILMAZ
KAYA ÖZTÜRK NOWAK KOWALSKI SCHMIDT FISCHER WAGNER MÜLLER`;

const PARTICLE_TAILS = `FONTAINE ROCHE MOTTE SALLE BRIÈRE FOREST COUR PORTE TOUR VALLÉE GARDE BORDE CROIX HAYE
MAISON BRUYÈRE GRANGE PLACE SERRE VILLE MARE MOTTE-PICQUET`;
const BRETON_TAILS = `GALL GOFF BRIS BIHAN CORRE MEUR ROUX GUEN BERRE MOAL FLOCH BORGNE DREFF HIR`;
const APOSTROPHE_FAMILY = `D'ALMEIDA D'ANDRÉ D'ARGENT D'AUBIGNY D'HUMIÈRES D'ORNANO D'ESTIENNE N'DIAYE N'GUESSAN N'DOYE
N'GORAN N'DRI L'HERMITE L'HUILLIER L'HOSTE`;

const SYLLABLE_HEAD = `BOU BEAU CHA CHAM DES DU FON GAR GRAN LA LAM MAR MON PAR PER RO SAU TOU VAL VER BER BRO CHE
COR DAL FAR GAL LAC LEM MAL MER NOR PON RAN SAL TAR VAU VIL ABB AUB BAR BEL BRI CAS CLA COU DEL ESP FAB`;
const SYLLABLE_TAIL = `CHARD VERGNE CHAND TIER RAND GEOT DIN LARD NIER VIER MOND BERT CAUD CHOT DET LIN LOT MANT NEAU
QUET RIER SSON TEAU VEAU ZEL GNAC ZAC RAC BOIS COURT FORT MONT VILLE LAIN LIÈRE NÈS RÈS THÉ CHÉ GUÉ`;

const FEMALE_GIVEN = `Marie Camille Sophie Nathalie Isabelle Sylvie Catherine Anne Christine Valérie Sandrine Céline
Aurélie Julie Émilie Claire Hélène Élodie Laura Léa Chloé Manon Emma Inès Sarah Pauline Mathilde Lucie Juliette
Charlotte Agathe Zoé Anaïs Clémence Margaux Océane Maëlle Noémie Jeanne Alice Louise Rose Ambre Léna Nadia
Fatima Yasmine Amel Samira Leïla Aïssatou Fatoumata Mariam Thi Linh Ana Sofia Giulia Françoise Martine Brigitte
Monique Dominique Véronique Laurence Patricia Stéphanie Virginie Karine Delphine Florence Béatrice Agnès
Geneviève Bénédicte Solène Gaëlle Maïwenn Annick Murielle Ségolène Éloïse Héloïse Apolline`;
const MALE_GIVEN = `Jean Pierre Michel Philippe Alain Nicolas Christophe Stéphane Laurent Frédéric Olivier Éric
Julien Thomas Sébastien David François Jérôme Vincent Antoine Guillaume Maxime Romain Alexandre Hugo Lucas
Louis Gabriel Arthur Raphaël Léo Nathan Mathis Théo Noé Maël Gaël Yann Loïc Hervé Benoît Grégoire Cédric
Jérémy Rémi Mickaël Karim Mohamed Mehdi Sofiane Yacine Rachid Mamadou Ibrahima Moussa Ousmane Minh Duc
João Paulo Marco Luca Bernard Daniel Patrick Gérard Jacques André René Didier Thierry Pascal Bruno Gilles
Denis Emmanuel Fabrice Franck Joël Noël Anthony Kévin Aurélien Bastien Clément Timothée Baptiste Gaëtan`;
const FEMALE_FIRST_PART = ['Marie', 'Anne', 'Marie', 'Anne', 'Marie'];
const FEMALE_SECOND_PART = [
  'Claire',
  'Sophie',
  'Hélène',
  'Laure',
  'Christine',
  'Pierre',
  'Laure',
  'Cécile',
  'Noëlle',
];
const MALE_FIRST_PART = ['Jean', 'Jean', 'Pierre', 'Jean', 'Paul'];
const MALE_SECOND_PART = [
  'Pierre',
  'François',
  'Michel',
  'Marc',
  'Luc',
  'Baptiste',
  'Yves',
  'Louis',
  'Philippe',
];

/** [postal code, commune, weight]: cities weighted roughly by population, every region. */
const PLACES: [string, string, number][] = [
  ...Array.from(
    { length: 20 },
    (_, i) => [`750${String(i + 1).padStart(2, '0')}`, 'Paris', 9] as [string, string, number],
  ),
  ...Array.from({ length: 9 }, (_, i) => [`6900${i + 1}`, 'Lyon', 5] as [string, string, number]),
  ...Array.from(
    { length: 16 },
    (_, i) => [`130${String(i + 1).padStart(2, '0')}`, 'Marseille', 4] as [string, string, number],
  ),
  ['31000', 'Toulouse', 12],
  ['31100', 'Toulouse', 8],
  ['31200', 'Toulouse', 6],
  ['31300', 'Toulouse', 6],
  ['06000', 'Nice', 12],
  ['06100', 'Nice', 6],
  ['06200', 'Nice', 5],
  ['06400', 'Cannes', 5],
  ['06600', 'Antibes', 5],
  ['44000', 'Nantes', 12],
  ['44100', 'Nantes', 6],
  ['44300', 'Nantes', 5],
  ['44600', 'Saint-Nazaire', 4],
  ['67000', 'Strasbourg', 12],
  ['67100', 'Strasbourg', 6],
  ['34000', 'Montpellier', 12],
  ['34090', 'Montpellier', 6],
  ['34500', 'Béziers', 4],
  ['34200', 'Sète', 2],
  ['33000', 'Bordeaux', 12],
  ['33100', 'Bordeaux', 5],
  ['33300', 'Bordeaux', 5],
  ['33700', 'Mérignac', 4],
  ['33600', 'Pessac', 3],
  ['59000', 'Lille', 12],
  ['59800', 'Lille', 5],
  ['59100', 'Roubaix', 4],
  ['59200', 'Tourcoing', 4],
  ['59650', "Villeneuve-d'Ascq", 3],
  ['59140', 'Dunkerque', 4],
  ['35000', 'Rennes', 10],
  ['35200', 'Rennes', 5],
  ['35400', 'Saint-Malo', 3],
  ['51100', 'Reims', 7],
  ['76600', 'Le Havre', 6],
  ['76000', 'Rouen', 8],
  ['76800', 'Saint-Étienne-du-Rouvray', 2],
  ['42000', 'Saint-Étienne', 7],
  ['42300', 'Roanne', 2],
  ['83000', 'Toulon', 7],
  ['83600', 'Fréjus', 3],
  ['38000', 'Grenoble', 8],
  ['38100', 'Grenoble', 5],
  ['21000', 'Dijon', 7],
  ['49000', 'Angers', 7],
  ['49300', 'Cholet', 2],
  ['30000', 'Nîmes', 6],
  ['30100', 'Alès', 2],
  ['69100', 'Villeurbanne', 6],
  ['69500', 'Bron', 2],
  ['63000', 'Clermont-Ferrand', 7],
  ['72000', 'Le Mans', 6],
  ['13090', 'Aix-en-Provence', 6],
  ['13100', 'Aix-en-Provence', 4],
  ['13200', 'Arles', 2],
  ['29200', 'Brest', 6],
  ['29000', 'Quimper', 3],
  ['37000', 'Tours', 6],
  ['80000', 'Amiens', 6],
  ['87000', 'Limoges', 6],
  ['74000', 'Annecy', 5],
  ['66000', 'Perpignan', 5],
  ['92100', 'Boulogne-Billancourt', 5],
  ['92200', 'Neuilly-sur-Seine', 4],
  ['92130', 'Issy-les-Moulineaux', 3],
  ['92000', 'Nanterre', 4],
  ['57000', 'Metz', 5],
  ['25000', 'Besançon', 5],
  ['45000', 'Orléans', 5],
  ['93200', 'Saint-Denis', 4],
  ['93100', 'Montreuil', 4],
  ['95100', 'Argenteuil', 4],
  ['95000', 'Cergy', 3],
  ['95300', 'Pontoise', 2],
  ['68100', 'Mulhouse', 4],
  ['68000', 'Colmar', 3],
  ['14000', 'Caen', 5],
  ['54000', 'Nancy', 5],
  ['94400', 'Vitry-sur-Seine', 3],
  ['94000', 'Créteil', 4],
  ['94100', 'Saint-Maur-des-Fossés', 3],
  ['94240', "L'Haÿ-les-Roses", 2],
  ['84000', 'Avignon', 4],
  ['86000', 'Poitiers', 4],
  ['64000', 'Pau', 4],
  ['64100', 'Bayonne', 3],
  ['17000', 'La Rochelle', 4],
  ['56100', 'Lorient', 3],
  ['56000', 'Vannes', 3],
  ['73000', 'Chambéry', 3],
  ['26000', 'Valence', 3],
  ['10000', 'Troyes', 3],
  ['28000', 'Chartres', 2],
  ['89000', 'Auxerre', 2],
  ['01000', 'Bourg-en-Bresse', 2],
  ['90000', 'Belfort', 2],
  ['27000', 'Évreux', 2],
  ['53000', 'Laval', 2],
  ['79000', 'Niort', 2],
  ['16000', 'Angoulême', 2],
  ['24000', 'Périgueux', 2],
  ['47000', 'Agen', 2],
  ['40000', 'Mont-de-Marsan', 2],
  ['65000', 'Tarbes', 2],
  ['81000', 'Albi', 2],
  ['12000', 'Rodez', 2],
  ['46000', 'Cahors', 1],
  ['82000', 'Montauban', 2],
  ['11000', 'Carcassonne', 2],
  ['05000', 'Gap', 1],
  ['04000', 'Digne-les-Bains', 1],
  ['03200', 'Vichy', 1],
  ['03000', 'Moulins', 1],
  ['58000', 'Nevers', 1],
  ['18000', 'Bourges', 2],
  ['36000', 'Châteauroux', 1],
  ['41000', 'Blois', 2],
  ['22000', 'Saint-Brieuc', 2],
  ['22300', 'Lannion', 1],
  ['62100', 'Calais', 2],
  ['62000', 'Arras', 2],
  ['62300', 'Lens', 2],
  ['62200', 'Boulogne-sur-Mer', 2],
  ['60000', 'Beauvais', 2],
  ['60200', 'Compiègne', 2],
  ['02100', 'Saint-Quentin', 1],
  ['02000', 'Laon', 1],
  ['08000', 'Charleville-Mézières', 1],
  ['88000', 'Épinal', 1],
  ['88100', 'Saint-Dié-des-Vosges', 1],
  ['55100', 'Verdun', 1],
  ['52000', 'Chaumont', 1],
  ['70000', 'Vesoul', 1],
  ['39000', 'Lons-le-Saunier', 1],
  ['71000', 'Mâcon', 1],
  ['71100', 'Chalon-sur-Saône', 1],
  ['43000', 'Le Puy-en-Velay', 1],
  ['15000', 'Aurillac', 1],
  ['48000', 'Mende', 1],
  ['07000', 'Privas', 1],
  ['23000', 'Guéret', 1],
  ['19100', 'Brive-la-Gaillarde', 1],
  ['09000', 'Foix', 1],
  ['32000', 'Auch', 1],
  ['78000', 'Versailles', 4],
  ['78100', 'Saint-Germain-en-Laye', 2],
  ['91000', 'Évry-Courcouronnes', 2],
  ['91300', 'Massy', 2],
  ['77000', 'Melun', 2],
  ['77100', 'Meaux', 2],
  ['20000', 'Ajaccio', 2],
  ['20200', 'Bastia', 2],
  ['97400', 'Saint-Denis', 3],
  ['97410', 'Saint-Pierre', 2],
  ['97200', 'Fort-de-France', 2],
  ['97110', 'Pointe-à-Pitre', 2],
  ['97300', 'Cayenne', 1],
  ['97600', 'Mamoudzou', 1],
  ['97150', 'Saint-Martin', 1],
  ['97133', 'Saint-Barthélemy', 1],
];

const DEPARTMENTS: Record<string, string> = {
  '01': 'Ain',
  '02': 'Aisne',
  '03': 'Allier',
  '04': 'Alpes-de-Haute-Provence',
  '05': 'Hautes-Alpes',
  '06': 'Alpes-Maritimes',
  '07': 'Ardèche',
  '08': 'Ardennes',
  '09': 'Ariège',
  '10': 'Aube',
  '11': 'Aude',
  '12': 'Aveyron',
  '13': 'Bouches-du-Rhône',
  '14': 'Calvados',
  '15': 'Cantal',
  '16': 'Charente',
  '17': 'Charente-Maritime',
  '18': 'Cher',
  '19': 'Corrèze',
  '2A': 'Corse-du-Sud',
  '2B': 'Haute-Corse',
  '21': "Côte-d'Or",
  '22': "Côtes-d'Armor",
  '23': 'Creuse',
  '24': 'Dordogne',
  '25': 'Doubs',
  '26': 'Drôme',
  '27': 'Eure',
  '28': 'Eure-et-Loir',
  '29': 'Finistère',
  '30': 'Gard',
  '31': 'Haute-Garonne',
  '32': 'Gers',
  '33': 'Gironde',
  '34': 'Hérault',
  '35': 'Ille-et-Vilaine',
  '36': 'Indre',
  '37': 'Indre-et-Loire',
  '38': 'Isère',
  '39': 'Jura',
  '40': 'Landes',
  '41': 'Loir-et-Cher',
  '42': 'Loire',
  '43': 'Haute-Loire',
  '44': 'Loire-Atlantique',
  '45': 'Loiret',
  '46': 'Lot',
  '47': 'Lot-et-Garonne',
  '48': 'Lozère',
  '49': 'Maine-et-Loire',
  '51': 'Marne',
  '52': 'Haute-Marne',
  '53': 'Mayenne',
  '54': 'Meurthe-et-Moselle',
  '55': 'Meuse',
  '56': 'Morbihan',
  '57': 'Moselle',
  '58': 'Nièvre',
  '59': 'Nord',
  '60': 'Oise',
  '62': 'Pas-de-Calais',
  '63': 'Puy-de-Dôme',
  '64': 'Pyrénées-Atlantiques',
  '65': 'Hautes-Pyrénées',
  '66': 'Pyrénées-Orientales',
  '67': 'Bas-Rhin',
  '68': 'Haut-Rhin',
  '69': 'Rhône',
  '70': 'Haute-Saône',
  '71': 'Saône-et-Loire',
  '72': 'Sarthe',
  '73': 'Savoie',
  '74': 'Haute-Savoie',
  '75': 'Paris',
  '76': 'Seine-Maritime',
  '77': 'Seine-et-Marne',
  '78': 'Yvelines',
  '79': 'Deux-Sèvres',
  '80': 'Somme',
  '81': 'Tarn',
  '82': 'Tarn-et-Garonne',
  '83': 'Var',
  '84': 'Vaucluse',
  '86': 'Vienne',
  '87': 'Haute-Vienne',
  '88': 'Vosges',
  '89': 'Yonne',
  '90': 'Territoire de Belfort',
  '91': 'Essonne',
  '92': 'Hauts-de-Seine',
  '93': 'Seine-Saint-Denis',
  '94': 'Val-de-Marne',
  '95': "Val-d'Oise",
  '971': 'Guadeloupe',
  '972': 'Martinique',
  '973': 'Guyane',
  '974': 'La Réunion',
  '976': 'Mayotte',
  '977': 'Saint-Barthélemy',
  '978': 'Saint-Martin',
};

/** [code, share in thousands, female share, RPPS (else ADELI), registration authority] */
const PROFESSION_MIX: [string, number, number, boolean, string][] = [
  ['60', 560, 0.87, true, 'ONI/ONI/ONI'],
  ['10', 270, 0.5, true, 'CNOM/CNOM/CNOM'],
  ['70', 100, 0.5, true, 'CNOMK/CNOMK/CNOMK'],
  ['93', 80, 0.85, false, 'ARS/ARS/ARS'],
  ['21', 75, 0.68, true, 'CNOP/CNOP/CNOP'],
  ['40', 45, 0.5, true, 'CNOCD/CNOCD/CNOCD'],
  ['28', 40, 0.5, false, 'ARS/ARS/ARS'],
  ['98', 40, 0.7, false, 'ARS/ARS/ARS'],
  ['50', 25, 0.97, true, 'CNOSF/CNOSF/CNOSF'],
  ['91', 25, 0.97, true, 'ARS/ARS/ARS'],
  ['80', 15, 0.7, true, 'CNOPP/CNOPP/CNOPP'],
  ['96', 15, 0.85, false, 'ARS/ARS/ARS'],
  ['92', 6, 0.9, true, 'ARS/ARS/ARS'],
  ['26', 5, 0.4, false, 'ARS/ARS/ARS'],
];

/** Doctors' specialties (savoir-faire, type S "Spécialité ordinale") with their shares. */
const SPECIALTIES: [string, string, number][] = [
  ['SM54', 'Médecine générale', 38],
  ['SM26', 'Qualifié en Médecine Générale', 6],
  ['SM53', 'Spécialiste en Médecine Générale', 6],
  ['SM42', 'Psychiatrie', 6],
  ['SM02', 'Anesthésie-réanimation', 5],
  ['SM40', 'Pédiatrie', 4],
  ['SM04', 'Cardiologie et maladies vasculaires', 4],
  ['SM46', 'Radiodiagnostic et imagerie médicale', 4],
  ['SM38', 'Ophtalmologie', 3],
  ['SM20', 'Gynécologie-obstétrique', 3],
  ['SM15', 'Dermatologie et vénéréologie', 2],
  ['SM24', 'Gastro-entérologie et hépatologie', 2],
  ['SM32', 'Neurologie', 2],
  ['SM41', 'Pneumologie', 2],
  ['SM48', 'Rhumatologie', 2],
];

const STREET_TYPES: [string, string][] = [
  ['R', 'Rue'],
  ['R', 'Rue'],
  ['R', 'Rue'],
  ['AV', 'Avenue'],
  ['AV', 'Avenue'],
  ['BD', 'Boulevard'],
  ['PL', 'Place'],
  ['CHE', 'Chemin'],
  ['ALL', 'Allée'],
  ['IMP', 'Impasse'],
  ['QUAI', 'Quai'],
];
const STREETS =
  `DE LA RÉPUBLIQUE|VICTOR HUGO|JEAN JAURÈS|DU GÉNÉRAL DE GAULLE|PASTEUR|DES LILAS|DE L'ÉGLISE|NATIONALE|DE LA GARE|GAMBETTA|FOCH|DE LA LIBERTÉ|DES ÉCOLES|DU MOULIN|SAINT-MARTIN|ÉMILE ZOLA|JULES FERRY|DE PARIS|DU 8 MAI 1945|DES TILLEULS|ANATOLE FRANCE|CARNOT|DE LA PAIX|DU CHÂTEAU|D'ALSACE-LORRAINE|ARISTIDE BRIAND|SAINT-EXUPÉRY|DES CHÊNES|PAUL BERT|DE VERDUN`.split(
    '|',
  );
const HOUSE_NAMES =
  `LES GLYCINES|LES TILLEULS|LES CHÊNES|LE CLOS FLEURI|LES JARDINS D'AUTOMNE|LA ROSERAIE|LES OLIVIERS|L'ÉTOILE|LE BOIS JOLI|LES MAGNOLIAS`.split(
    '|',
  );
const SAINTS =
  `SAINT-JOSEPH|SAINTE-ANNE|SAINT-LOUIS|SAINT-MICHEL|SAINTE-MARIE|SAINT-VINCENT|DU PARC|DES CÈDRES|DU LITTORAL|PASTEUR`.split(
    '|',
  );

// ---- random --------------------------------------------------------------------------------

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;
  constructor(
    private readonly items: T[],
    weight: (item: T, index: number) => number,
  ) {
    let sum = 0;
    for (let i = 0; i < items.length; i++) {
      sum += weight(items[i] as T, i);
      this.cumulative.push(sum);
    }
    this.total = sum;
  }
  pick(r: number): T {
    const x = r * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);

function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

function upperFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase();
}

// ---- the generator -------------------------------------------------------------------------

/** How often the shapes of real extracts occur (shares; 0 turns one off). */
export interface GeneratorShapes {
  /** Places whose « Libellé commune » is empty, the town being only in « Bureau cedex ». */
  townInCedexOnly: number;
  /** Structures with no « Raison sociale », only an « Enseigne commerciale ». */
  brandOnly: number;
  /** Lines written twice in a row. */
  duplicateLines: number;
  /** Persons with a second profession (its own rows). */
  twoProfessions: number;
  /** Persons one of whose rows comes much later in the file. */
  scattered: number;
}

export const REAL_SHAPES: GeneratorShapes = {
  townInCedexOnly: 0.3,
  brandOnly: 0.03,
  duplicateLines: 0.01,
  twoProfessions: 0.005,
  scattered: 0.003,
};

export interface GenerateOptions {
  /** Distinct persons, the sample's included. */
  people: number;
  seed?: number;
  /** Columns of the recent files (56) or the 52 of the reference. */
  columns?: 52 | 56;
  shapes?: Partial<GeneratorShapes>;
}

/** Second professions of the same person, as real extracts have them. */
const SECOND_PROFESSIONS: Record<string, [string, string]> = {
  '10': ['40', 'CNOCD/CNOCD/CNOCD'],
  '60': ['50', 'CNOSF/CNOSF/CNOSF'],
  '70': ['80', 'CNOPP/CNOPP/CNOPP'],
  '50': ['60', 'ONI/ONI/ONI'],
  '40': ['10', 'CNOM/CNOM/CNOM'],
  '93': ['96', 'ARS/ARS/ARS'],
};

export function generateDirectory(options: GenerateOptions): Readable {
  const rand = prng(options.seed ?? 20261124);
  const wide = (options.columns ?? 56) === 56;
  const shapes = { ...REAL_SHAPES, ...options.shapes };
  const common = words(COMMON_FAMILY);
  const commonPick = new Weighted(common, (_, i) => 1 / (i + 30));
  const foreign = words(FOREIGN_FAMILY).map((w) => w.replace(/_/g, ' '));
  const heads = words(SYLLABLE_HEAD);
  const tails = words(SYLLABLE_TAIL);
  const particleTails = words(PARTICLE_TAILS);
  const bretonTails = words(BRETON_TAILS);
  const apostrophes = words(APOSTROPHE_FAMILY);
  const female = words(FEMALE_GIVEN);
  const male = words(MALE_GIVEN);
  const femalePick = new Weighted(female, (_, i) => 1 / (i + 8));
  const malePick = new Weighted(male, (_, i) => 1 / (i + 8));
  const placePick = new Weighted(PLACES, (p) => p[2]);
  const professionPick = new Weighted(PROFESSION_MIX, (p) => p[1]);
  const specialtyPick = new Weighted(SPECIALTIES, (s) => s[2]);
  const byDepartment = new Map<string, [string, string, number][]>();
  for (const p of PLACES) {
    const dept = deptOf(p[0]);
    byDepartment.set(dept, [...(byDepartment.get(dept) ?? []), p]);
  }

  const pickOf = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

  const familyName = (): string => {
    const r = rand();
    if (r < 0.55) return commonPick.pick(rand());
    if (r < 0.8) return pickOf(heads) + pickOf(tails);
    if (r < 0.88) {
      const first = commonPick.pick(rand());
      let second = commonPick.pick(rand());
      while (second === first) second = commonPick.pick(rand());
      return `${first}-${second}`;
    }
    if (r < 0.9) return `LE ${pickOf(bretonTails)}`;
    if (r < 0.92) return `${pickOf(['DE LA', 'DE', 'DU', 'DES'])} ${pickOf(particleTails)}`;
    if (r < 0.94) return pickOf(apostrophes);
    return pickOf(foreign);
  };
  const givenName = (femaleGender: boolean): string => {
    if (rand() < 0.1) {
      return femaleGender
        ? `${pickOf(FEMALE_FIRST_PART)}-${pickOf(FEMALE_SECOND_PART)}`
        : `${pickOf(MALE_FIRST_PART)}-${pickOf(MALE_SECOND_PART)}`;
    }
    return femaleGender ? femalePick.pick(rand()) : malePick.pick(rand());
  };

  let structureSeq = 20_000_000;
  const placeFields = (
    professionCode: string,
    family: string,
    liberal: boolean,
    near?: string,
  ): { fields: string[]; postal: string; sector: [string, string] } => {
    let place = placePick.pick(rand());
    if (near && rand() < 0.8) {
      const local = byDepartment.get(deptOf(near));
      if (local) place = pickOf(local);
    }
    const [postal, commune] = place;
    const dept = deptOf(postal);
    const deptCode = dept === '20' ? (postal < '20200' ? '2A' : '2B') : dept;
    const communeUpper = upperFold(commune);
    const inseeCode =
      deptCode.length === 3
        ? `${deptCode}${String(1 + (Number(postal) % 34)).padStart(2, '0')}`
        : `${deptCode}${String(1 + (Number(postal.slice(2)) % 900)).padStart(3, '0')}`;
    let name: string;
    let sector: [string, string];
    if (liberal) {
      sector = rand() < 0.6 ? ['SA07', 'Cabinet individuel'] : ['SA08', 'Cabinet de groupe'];
      switch (professionCode) {
        case '10':
          name = pickOf([
            `CABINET DU DR ${family}`,
            `CABINET MÉDICAL ${pickOf(STREETS)}`,
            `MAISON DE SANTÉ PLURIPROFESSIONNELLE DE ${communeUpper}`,
            `CENTRE MÉDICAL ${pickOf(SAINTS)}`,
          ]);
          break;
        case '21':
          name = `PHARMACIE ${pickOf(['DU CENTRE', 'DE LA GARE', 'DU MARCHÉ', 'DES HALLES', 'PRINCIPALE', `${family}`, "DE L'ÉGLISE"])}`;
          sector = ['SA16', 'Officine'];
          break;
        case '40':
          name = `CABINET DENTAIRE ${pickOf([family, pickOf(STREETS), communeUpper])}`;
          break;
        case '60':
          name = pickOf([
            'CABINET INFIRMIER',
            'CABINET DE SOINS INFIRMIERS',
            `CABINET INFIRMIER ${family}`,
            `CENTRE DE SOINS INFIRMIERS DE ${communeUpper}`,
          ]);
          break;
        case '70':
          name = `CABINET DE KINÉSITHÉRAPIE ${pickOf([family, 'DU CENTRE', communeUpper])}`;
          break;
        case '28':
          name = `OPTIQUE ${pickOf([family, 'DU CENTRE', communeUpper])}`;
          break;
        case '26':
          name = `AUDITION ${pickOf([family, communeUpper])}`;
          break;
        default:
          name = `CABINET ${family}`;
      }
    } else {
      sector = rand() < 0.7 ? ['SA01', 'Etablissement public de santé'] : ['SA05', 'Etablissement privé'];
      name = pickOf([
        `CENTRE HOSPITALIER DE ${communeUpper}`,
        `CHU DE ${communeUpper}`,
        `CLINIQUE ${pickOf(SAINTS)}`,
        `EHPAD ${pickOf(HOUSE_NAMES)}`,
        `HÔPITAL PRIVÉ ${pickOf(SAINTS)}`,
        `CENTRE DE SANTÉ ${pickOf(SAINTS)}`,
      ]);
    }
    const [streetCode, streetLabel] = pickOf(STREET_TYPES);
    const structureSerial = structureSeq++;
    const structureId = `R${structureSerial}`;
    const phone =
      rand() < 0.5
        ? `0${1 + Math.floor(rand() * 5)}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`
        : '';
    const siren =
      liberal || rand() < 0.5 ? String(300_000_000 + ((structureSerial * 7919) % 600_000_000)) : '';
    const siret = siren ? `${siren}${String(10 + (structureSerial % 90)).padStart(5, '0')}` : '';
    const finess = liberal
      ? ['', '']
      : [
          `${deptCode.padStart(2, '0').slice(0, 2)}0${String(structureSerial % 1e6).padStart(6, '0')}`,
          `${deptCode.padStart(2, '0').slice(0, 2)}0${String((structureSerial * 3) % 1e6).padStart(6, '0')}`,
        ];
    const email =
      rand() < 0.25
        ? `contact${structureSerial % 10_000}@${liberal ? 'cabinet' : 'etablissement'}-sante.fr`
        : '';
    // Real rows often leave « Libellé commune » empty: the town is then only in « Bureau cedex ».
    const communeField = rand() < shapes.townInCedexOnly ? '' : commune;
    const brandOnly = rand() < shapes.brandOnly;
    return {
      postal,
      sector,
      fields: [
        siret,
        siren,
        finess[0] as string,
        finess[1] as string,
        structureId,
        brandOnly ? '' : name,
        brandOnly ? name : '',
        '',
        '',
        String(1 + Math.floor(rand() * 180)),
        rand() < 0.05 ? 'B' : '',
        streetCode,
        streetLabel,
        pickOf(STREETS),
        '',
        `${postal} ${communeUpper}`,
        postal,
        inseeCode,
        communeField,
        '99000',
        'France',
        phone,
        '',
        '',
        email,
        deptCode,
        DEPARTMENTS[deptCode] ?? '',
        '',
      ],
    };
  };

  const header = `${(wide ? HEADER_56 : HEADER_52).join('|')}|\n`;
  const sample = SAMPLE_ROWS.map((row) => (wide ? `${row}||||\n` : `${row}\n`)).join('');
  const people = Math.max(0, options.people - SAMPLE_PEOPLE);
  let made = 0;
  let started = false;

  const person = (seq: number): string => {
    const [professionCode, , femaleShare, rpps, authority] = professionPick.pick(rand());
    const femaleGender = rand() < femaleShare;
    const family = familyName();
    const given = givenName(femaleGender);
    const firstPlace = placePick.pick(rand())[0];
    let idType: string;
    let identifier: string;
    if (rpps) {
      const body = `10${String(10_000_000 + seq).padStart(8, '0')}`;
      idType = '8';
      identifier = body + luhnDigit(body);
    } else {
      const dept = deptOf(firstPlace);
      const adeliDept = dept === '20' ? '2A' : dept.slice(0, 2);
      idType = '0';
      identifier = `${adeliDept}${String((2_000_000 + seq) % 10_000_000).padStart(7, '0')}`;
    }
    const doctor = professionCode === '10';
    const professor = doctor && rand() < 0.02;
    const specialty = doctor ? specialtyPick.pick(rand()) : undefined;
    const practiceCivility =
      doctor || (professionCode === '40' && rand() < 0.6) || (professionCode === '21' && rand() < 0.3)
        ? professor
          ? ['PR', 'Professeur']
          : ['DR', 'Docteur']
        : ['', ''];
    const student = rand() < 0.01;
    const personFields = [
      idType,
      identifier,
      idType + identifier,
      practiceCivility[0],
      practiceCivility[1],
      femaleGender ? 'MME' : 'M',
      femaleGender ? 'Madame' : 'Monsieur',
      family,
      given,
      professionCode,
      PROFESSIONS[professionCode] ?? '',
      student ? 'E' : 'C',
      student ? 'Etudiant' : 'Civil',
      specialty ? 'S' : '',
      specialty ? 'Spécialité ordinale' : '',
      specialty?.[0] ?? '',
      specialty?.[1] ?? '',
    ].join('|');
    const r = rand();
    const activities = r < 0.06 ? 0 : r < 0.56 ? 1 : r < 0.86 ? 2 : r < 0.96 ? 3 : 4;
    const liberalShare = doctor ? 0.55 : professionCode === '60' ? 0.35 : 0.6;
    if (activities === 0) {
      // fields 17 to 51 (and the 4 appended) are empty but the registration authority (47)
      const empty = new Array(wide ? 39 : 35).fill('');
      empty[47 - 17] = authority;
      return `${personFields}|${empty.join('|')}|\n`;
    }
    const rows: string[] = [];
    const activityRow = (
      fields: string,
      place: ReturnType<typeof placeFields>,
      liberal: boolean,
      by: string,
    ) => {
      const tail = [
        ...place.fields,
        by,
        ...place.sector,
        professionCode === '21' ? (liberal ? 'A' : 'H') : '',
        professionCode === '21'
          ? liberal
            ? 'Pharmaciens titulaires d’officine'
            : 'Pharmaciens des établissements de santé'
          : '',
      ];
      const appended = wide ? `|||${rand() < 0.1 ? 'GENR03|Remplacement' : 'GENR01|Activité de soins'}` : '';
      return `${fields}|${liberal ? 'L|Libéral' : 'S|Salarié'}|${tail.join('|')}${appended}|\n`;
    };
    let near: string | undefined;
    let first: { place: ReturnType<typeof placeFields>; liberal: boolean } | undefined;
    for (let a = 0; a < activities; a++) {
      const liberal = rand() < liberalShare;
      const place = placeFields(professionCode, family, liberal, near);
      first ??= { place, liberal };
      near = place.postal;
      rows.push(activityRow(personFields, place, liberal, authority));
    }
    // A second profession: its own rows, at the first place (the directory shows it once).
    const second = SECOND_PROFESSIONS[professionCode];
    if (second && first && rand() < shapes.twoProfessions) {
      const [code, by] = second;
      const fields = personFields.split('|');
      fields[9] = code;
      fields[10] = PROFESSIONS[code] ?? '';
      for (const i of [13, 14, 15, 16]) fields[i] = '';
      rows.push(activityRow(fields.join('|'), first.place, first.liberal, by));
    }
    // A row set aside comes much later in the file: this person's rows are not contiguous.
    if (rows.length > 1 && rand() < shapes.scattered) deferred.push(rows.pop() as string);
    let out = '';
    for (const row of rows) {
      out += row;
      if (rand() < shapes.duplicateLines) out += row;
    }
    return out;
  };

  /** Rows set aside, written at the start of the next chunk (after 2,000 other persons). */
  let deferred: string[] = [];
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (!started) {
        started = true;
        this.push(Buffer.from(header + sample, 'utf8'));
        return;
      }
      if (made >= people) {
        if (deferred.length > 0) {
          this.push(Buffer.from(deferred.join(''), 'utf8'));
          deferred = [];
          return;
        }
        this.push(null);
        return;
      }
      let chunk = deferred.join('');
      deferred = [];
      const until = Math.min(people, made + 2000);
      for (; made < until; made++) chunk += person(made);
      this.push(Buffer.from(chunk, 'utf8'));
    },
  });
}

function deptOf(postal: string): string {
  return departmentOf(postal) ?? postal.slice(0, 2);
}
