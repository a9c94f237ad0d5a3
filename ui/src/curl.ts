/**
 * "Show request": the curl command that does what the UI just did, so the UI teaches the API. The token and
 * API key are never shown: they become $ACCESS_TOKEN and $API_KEY (the names `npm start` prints), and
 * any secret typed into a form (a password field) is replaced by ******** in the body.
 */
export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly ifMatch?: string;
  status?: number;
}

const secrets = new Set<string>();

/** Registers a value typed into a password field, so no curl ever shows it. */
export function registerSecret(value: string): void {
  if (value.length >= 4) secrets.add(value);
}

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

export function maskSecrets(text: string): string {
  let masked = text;
  for (const secret of secrets) {
    masked = masked.replaceAll(secret, '********');
    masked = masked.replaceAll(JSON.stringify(secret).slice(1, -1), '********');
  }
  return masked;
}

export function toCurl(request: RecordedRequest, origin: string, orgId: string, sandbox: string): string {
  const lines = [`curl -X ${request.method} ${quote(new URL(request.url, origin).toString())}`];
  lines.push(
    `-H 'Authorization: Bearer $ACCESS_TOKEN'`.replace(/'/g, '"'),
    `-H 'x-api-key: $API_KEY'`.replace(/'/g, '"'),
    `-H ${quote(`x-gw-ims-org-id: ${orgId}`)}`,
    `-H ${quote(`x-sandbox-name: ${sandbox}`)}`,
  );
  if (request.ifMatch !== undefined) lines.push(`-H ${quote(`If-Match: ${request.ifMatch}`)}`);
  if (request.body !== undefined && request.body !== '') {
    lines.push(`-H ${quote(`Content-Type: ${request.contentType ?? 'application/json'}`)}`);
    lines.push(`-d ${quote(maskSecrets(request.body))}`);
  }
  return lines.join(' \\\n  ');
}
