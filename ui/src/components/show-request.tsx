/** "Show request": the curl commands an action sent, token and key masked (curl.ts). */
import { useId, useState } from 'react';
import type { RecordedRequest } from '../curl.ts';
import { toCurl } from '../curl.ts';
import { session } from '../session.ts';

export function ShowRequest({
  requests,
  label = 'Show request',
}: {
  requests: readonly RecordedRequest[];
  label?: string;
}) {
  const [open, setOpen] = useState(false);
  const id = useId();
  if (requests.length === 0) return null;
  const credentials = session.credentials();
  const text = requests
    .map((request) =>
      toCurl(request, location.origin, credentials?.orgId ?? '$ORG_ID', credentials?.sandboxName ?? 'prod'),
    )
    .join('\n\n');
  return (
    <div className="show-request">
      <button
        type="button"
        className="secondary"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => {
          setOpen(!open);
        }}
      >
        {open ? 'Hide request' : requests.length > 1 ? `${label} (${requests.length} calls)` : label}
      </button>
      {open ? (
        <pre id={id} aria-label="curl">
          {text}
        </pre>
      ) : null}
    </div>
  );
}
