export function HomePage() {
  return (
    <>
      <h1>Délégations de droits</h1>
      <p className="fr-text--lead">
        Vous pouvez permettre à un autre professionnel de vous assister dans la gestion de vos dossiers.
      </p>
      <p>
        Depuis la page « Mes délégations », vous pouvez habiliter un professionnel (secrétaire, assistant
        médical, infirmier(e)…) qui vous accompagne au quotidien, ou un confrère médecin qui peut vous
        remplacer dans la gestion de vos dossiers.
      </p>
    </>
  );
}
