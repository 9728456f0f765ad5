// The signed-in person, as every feature sees it: one type. The identity feature builds it from
// the session at each request (requireUser); the others take it, or the part they need (Pick).

/**
 * How strong the session is: Pro Santé Connect (CPx card or e-CPS), or a password with a second
 * factor (passkey, TOTP app, or a single-use recovery code). A password alone opens no session.
 */
export type SessionStrength = 'psc' | 'password+passkey' | 'password+totp' | 'password+recovery';

export interface SignedInUser {
  id: string;
  /** The national identifier (Pro Santé Connect's SubjectNameID). */
  subjectNameId: string;
  familyName: string;
  givenName: string;
  cardType: string | null;
  professionCode: string | null;
  /** Profession code '10' in the national directory. */
  isDoctor: boolean;
  email: string | null;
  emailVerified: boolean;
  firstSignInComplete: boolean;
  /**
   * How this session was opened: by Pro Santé Connect with the eIDAS level accepted (`acr`)
   * and the Palier_Authentification code, or by password and a second factor (both null).
   */
  signIn: {
    method: 'psc' | 'password';
    strength: SessionStrength;
    acr: string | null;
    authLevel: string | null;
  };
}
