// The one layout of every email, so that all features' messages look alike: French HTML with
// inline styles (mail clients ignore style sheets), readable without images, and a plain-text
// version that says the same thing with the link written out.
export interface EmailContent {
  /** The heading, also the HTML title. */
  title: string;
  /** Plain text; each one a paragraph. Escaped, never interpreted as HTML. */
  paragraphs: string[];
  /** The one thing to do: a button in HTML, the label and the address in text. */
  action?: { label: string; url: string };
  /** Small print after the action (e.g. "Ce lien est valable 7 jours."). */
  notes?: string[];
}

export const SERVICE_NAME = 'Délégations de droits';
const FOOTER =
  'Ce courriel vous a été envoyé automatiquement par le service Délégations de droits. Merci de ne pas y répondre.';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function checkUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error('an email link must be http(s)');
  }
  return parsed.toString();
}

const FONT = 'font-family:Marianne,Arial,Helvetica,sans-serif;';

export function renderEmail(content: EmailContent): { html: string; text: string } {
  const action = content.action
    ? { label: content.action.label, url: checkUrl(content.action.url) }
    : undefined;
  const notes = content.notes ?? [];

  const p = (t: string, style = 'margin:0 0 16px;font-size:16px;line-height:24px;color:#161616;') =>
    `<p style="${FONT}${style}">${escapeHtml(t)}</p>`;
  const html = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.title)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f6f6f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background-color:#f6f6f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background-color:#ffffff;border-top:4px solid #000091;">
<tr><td style="padding:24px 32px 8px;">
<p style="${FONT}margin:0;font-size:14px;line-height:20px;font-weight:bold;color:#000091;">${SERVICE_NAME}</p>
</td></tr>
<tr><td style="padding:8px 32px 8px;">
<h1 style="${FONT}margin:0 0 24px;font-size:24px;line-height:32px;color:#161616;">${escapeHtml(content.title)}</h1>
${content.paragraphs.map((t) => p(t)).join('\n')}
${
  action
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px;"><tr><td style="background-color:#000091;">
<a href="${escapeHtml(action.url)}" style="${FONT}display:inline-block;padding:12px 24px;font-size:16px;line-height:24px;color:#ffffff;text-decoration:none;font-weight:bold;">${escapeHtml(action.label)}</a>
</td></tr></table>
<p style="${FONT}margin:0 0 16px;font-size:14px;line-height:20px;color:#3a3a3a;">Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur&nbsp;:<br><a href="${escapeHtml(action.url)}" style="color:#000091;word-break:break-all;">${escapeHtml(action.url)}</a></p>`
    : ''
}
${notes.map((t) => p(t, 'margin:0 0 16px;font-size:14px;line-height:20px;color:#3a3a3a;')).join('\n')}
</td></tr>
<tr><td style="padding:16px 32px 24px;border-top:1px solid #dddddd;">
<p style="${FONT}margin:0;font-size:12px;line-height:18px;color:#666666;">${escapeHtml(FOOTER)}</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;

  const lines = [content.title, '='.repeat(Math.min(content.title.length, 72)), ''];
  for (const t of content.paragraphs) lines.push(t, '');
  if (action) lines.push(`${action.label} :`, action.url, '');
  for (const t of notes) lines.push(t, '');
  lines.push('--', FOOTER, '');
  return { html, text: lines.join('\n') };
}
