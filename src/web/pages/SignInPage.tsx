export function SignInPage() {
  return (
    <>
      <h1>Se connecter</h1>
      <p>La connexion avec Pro Santé Connect sera disponible ici.</p>
    </>
  );
}
