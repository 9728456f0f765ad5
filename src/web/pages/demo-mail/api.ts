// The demo mailbox API, typed by the schemas the server answers with.
import {
  type DemoEmail,
  type DemoEmailSummary,
  demoEmailListSchema,
  demoEmailSchema,
} from '../../../shared/demo-mail';

/** DEMO off: the API does not exist. */
export class DemoMailboxUnavailable extends Error {}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (res.status === 404) throw new DemoMailboxUnavailable();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

export async function fetchDemoEmails(limit?: number): Promise<DemoEmailSummary[]> {
  const body = await getJson(`/api/demo/emails${limit ? `?limit=${limit}` : ''}`);
  return demoEmailListSchema.parse(body).emails;
}

export async function fetchDemoEmail(id: string): Promise<DemoEmail> {
  return demoEmailSchema.parse(await getJson(`/api/demo/emails/${encodeURIComponent(id)}`));
}
