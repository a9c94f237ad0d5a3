/**
 * How a failed command is reported: one line `error: …` (and a hint where a credential is to blame), or
 * with --output json the problem JSON on stderr; exit 1 either way. Secrets the CLI holds (the access
 * token, the API key) are masked in whatever it prints, whoever wrote the message.
 */
import { toProblem } from '../api/problem.ts';
import { isAppError } from '../domain/errors.ts';
import { RemoteProblem } from './remote/client.ts';
import { maskToken } from './remote/settings.ts';

/** What to fix for the codes a credential causes (the gateway's, the sandbox's, a read-only token). */
const HINTS: Readonly<Record<string, string>> = {
  'GATEWAY-403010-403':
    'the access token is missing: set SLUICE_ACCESS_TOKEN or log in again (sluice login --token …)',
  'GATEWAY-401013-401':
    'the access token was refused (unknown, revoked or expired): fix SLUICE_ACCESS_TOKEN or the profile (sluice login --token …); a new one: sluice tokens create, on the server',
  'GATEWAY-403000-403':
    'the API key is missing: set SLUICE_API_KEY or log in again (sluice login --api-key …)',
  'GATEWAY-403003-403':
    "the API key was refused (unknown, revoked, or another org's): fix SLUICE_API_KEY or the profile (sluice login --api-key …)",
  'GATEWAY-400003-400': 'the org id is missing: set SLUICE_ORG_ID or pass --org',
  'GATEWAY-403025-403':
    'the token does not belong to this org: fix SLUICE_ORG_ID (or --org) to the org the token was made for',
  'FLOW-2100-404': 'the sandbox name is wrong: fix --sandbox or SLUICE_SANDBOX_NAME (default prod)',
  'FLOW-2105-400': 'no sandbox was sent: pass --sandbox or set SLUICE_SANDBOX_NAME',
  'FLOW-2118-403': 'the access token is read-only: use a token created without --read-only',
};

export interface ReportOptions {
  readonly json: boolean;
  readonly err: (line: string) => void;
  /** Values never to print (masked). */
  readonly secrets: readonly string[];
}

function masked(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 8) result = result.split(secret).join(maskToken(secret));
  return result;
}

/** Reports `error` when it is an expected failure and returns exit code 1; undefined for a bug. */
export function reportFailure(error: unknown, options: ReportOptions): number | undefined {
  const print = (line: string): void => {
    options.err(masked(line, options.secrets));
  };
  if (error instanceof RemoteProblem) {
    const hint =
      HINTS[error.code] ??
      (error.status === 401 || error.status === 403
        ? 'check the credentials (SLUICE_ACCESS_TOKEN, SLUICE_API_KEY, SLUICE_ORG_ID or the profile)'
        : undefined);
    if (options.json) print(JSON.stringify(error.problem, null, 2));
    else {
      print(`error: ${error.code}: ${error.message}`);
      if (hint !== undefined) print(`hint: ${hint}`);
    }
    return 1;
  }
  if (isAppError(error)) {
    if (options.json) print(JSON.stringify(toProblem(error, 'sluice-cli'), null, 2));
    else print(`error: ${error.message}`);
    return 1;
  }
  return undefined;
}
