/** "Show request": the curl commands an action sent, token and key masked (curl.ts). */
import type { RecordedRequest } from '../curl.ts';
import { toCurl } from '../curl.ts';
import { session } from '../session.ts';

export function ShowRequest({ requests, label = 'Show request' }: { requests: readonly RecordedRequest[]; label?: string }) {
  if (requests.length === 0) return null;
  const credentials = session.credentials();
  const text = requests
    .map((request) => toCurl(request, location.origin, credentials?.orgId ?? '$ORG_ID', credentials?.sandboxName ?? 'prod'))
    .join('\n\n');
  return (
    <details className="show-request">
      <summary>{requests.length > 1 ? `${label} (${requests.length})` : label}</summary>
      <pre aria-label="curl">{text}</pre>
    </details>
  );
}
