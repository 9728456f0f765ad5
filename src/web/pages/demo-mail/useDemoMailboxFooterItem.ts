// The footer link to "Courriels (démo)", only when the demo mailbox exists (demo mode).
import { useQuery } from '@tanstack/react-query';
import { fetchDemoEmails } from './api';

export const DEMO_MAILBOX_PATH = '/demo/courriels';

export function useDemoMailboxFooterItem(): { text: string; linkProps: { to: string } } | undefined {
  const { data } = useQuery({
    queryKey: ['demo-mailbox-available'],
    queryFn: () => fetchDemoEmails(1).then(() => true),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  return data ? { text: 'Courriels (démo)', linkProps: { to: DEMO_MAILBOX_PATH } } : undefined;
}
