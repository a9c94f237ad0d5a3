/**
 * The staged connection test: parse → reach → authenticate → authorize. Each stage has its own timeout
 * (`ctx.timeouts.stageMs`) and honours `ctx.signal`; a failing stage ends the test and the rest are
 * `skipped`. Expected failures are returned as a TestOutcome, never thrown; messages never carry the key
 * or the SAS (SAS fields such as se=, sp=, tn= are not secret and are quoted).
 */
import { isAppError } from '../../domain/errors.ts';
import type { AuthParams, ConnectorContext, StageOutcome, TestOutcome } from '../connector.ts';
import { parseConnectionString, type ParsedConnectionString, type SasInfo } from './connection-string.ts';
import {
  classify,
  deadline,
  describeFailure,
  formatDuration,
  untilAborted,
  type Failure,
} from './failures.ts';
import { probe } from './reach.ts';
import { openAts, type Ats } from './sdk.ts';

type StageResult =
  { readonly ok: true; readonly message?: string } | { readonly ok: false; readonly message: string };

const STAGES = ['parse', 'reach', 'authenticate', 'authorize'] as const;

interface State {
  connection?: ParsedConnectionString;
  ats?: Ats;
  /** The first table listed by `authenticate`, used to check entity reads. */
  firstTable?: string;
  /** Set when the credential was accepted but listing tables was refused for lack of permission. */
  listRefused?: Failure;
  egressRefused?: boolean;
}

export async function testConnection(params: AuthParams, ctx: ConnectorContext): Promise<TestOutcome> {
  const state: State = {};
  const stages: StageOutcome[] = [];
  const run: Record<(typeof STAGES)[number], (signals: Signals) => Promise<StageResult>> = {
    parse: () => Promise.resolve(parseStage(params, state)),
    reach: (s) => reachStage(state, ctx, s),
    authenticate: (s) => authenticateStage(state, s, ctx.timeouts.stageMs),
    authorize: (s) => authorizeStage(state, s, ctx.timeouts.stageMs),
  };
  for (const name of STAGES) {
    if (stages.some((s) => s.status === 'failed')) {
      stages.push({ name, status: 'skipped', durationMs: 0 });
      continue;
    }
    const started = performance.now();
    const limit = deadline(ctx.signal, ctx.timeouts.stageMs);
    let result: StageResult;
    try {
      result = await run[name]({ signal: limit.signal, deadline: limit.deadline, caller: ctx.signal });
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw error;
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const durationMs = Math.round(performance.now() - started);
    stages.push(
      result.ok
        ? {
            name,
            status: 'passed',
            durationMs,
            ...(result.message === undefined ? {} : { message: result.message }),
          }
        : { name, status: 'failed', durationMs, message: result.message },
    );
  }
  const failed = stages.find((s) => s.status === 'failed');
  if (failed === undefined) return { ok: true, stages };
  return {
    ok: false,
    stages,
    failure: {
      stage: failed.name,
      code: state.egressRefused === true ? 'CONNECTOR-1309-400' : 'CONNECTOR-1308-400',
      message: failed.message ?? 'The connection test failed.',
    },
  };
}

interface Signals {
  readonly signal: AbortSignal;
  readonly deadline: AbortSignal;
  readonly caller: AbortSignal;
}

function parseStage(params: AuthParams, state: State): StageResult {
  const parsed = parseConnectionString(params.connectionString);
  if (!parsed.ok) return parsed;
  state.connection = parsed.value;
  const { credential, endpoint } = parsed.value;
  const kind =
    credential.kind === 'key' ? `account key of ${credential.accountName}` : 'shared access signature';
  return { ok: true, message: `Endpoint ${endpoint}, ${kind}.` };
}

async function reachStage(state: State, ctx: ConnectorContext, signals: Signals): Promise<StageResult> {
  const connection = state.connection;
  if (connection === undefined) return { ok: false, message: 'No endpoint to reach.' };
  try {
    await untilAborted(ctx.egress.assertAllowed(connection.host, connection.port), signals.signal);
  } catch (error) {
    if (signals.deadline.aborted && !signals.caller.aborted) {
      return {
        ok: false,
        message: `Checking whether ${connection.host} may be contacted (DNS) took longer than ${formatDuration(ctx.timeouts.stageMs)}.`,
      };
    }
    // The egress check resolves the host: a DNS failure is this stage's expected failure too.
    if (isAppError(error) && !signals.caller.aborted) {
      state.egressRefused = error.code === 'CONNECTOR-1309-400';
      return { ok: false, message: error.message };
    }
    throw error;
  }
  const result = await probe(connection, {
    timeoutMs: ctx.timeouts.stageMs,
    // The probe keeps its own timer for the stage limit, so it can say "timed out" rather than "cancelled".
    signal: signals.caller,
    extraCaCerts: ctx.extraCaCerts,
  });
  if (!result.ok) return result;
  state.ats = openAts(connection, { extraCaCerts: ctx.extraCaCerts, maxRetries: 0 });
  return {
    ok: true,
    message: `Connected to ${connection.host}:${connection.port} (${connection.protocol}).`,
  };
}

/** SAS validity window, checked locally from st=/se= before Azure is asked. */
function sasWindowProblem(sas: SasInfo, now = new Date()): string | undefined {
  if (sas.expiry !== undefined && sas.expiry.getTime() <= now.getTime()) {
    return `The shared access signature expired at ${sas.expiry.toISOString()} (its se= field, checked by Sluice before calling Azure). Generate a new SAS with a later expiry and update the connection.`;
  }
  if (sas.start !== undefined && sas.start.getTime() > now.getTime() + 5 * 60_000) {
    return `The shared access signature is not valid before ${sas.start.toISOString()} (its st= field, checked by Sluice before calling Azure). Use a SAS whose start time has passed.`;
  }
  return undefined;
}

async function authenticateStage(state: State, signals: Signals, timeoutMs: number): Promise<StageResult> {
  const { connection, ats } = state;
  if (connection === undefined || ats === undefined) return { ok: false, message: 'Not connected.' };
  const { credential } = connection;
  if (credential.kind === 'sas') {
    const problem = sasWindowProblem(credential.sas);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  const tableSas = credential.kind === 'sas' ? credential.sas.tableName : undefined;
  try {
    if (tableSas !== undefined) {
      // A table SAS cannot list tables; reading its own table proves the signature instead.
      await ats.queryEntitiesPage(tableSas, { top: 1, signal: signals.signal });
      return { ok: true, message: `Azure accepted the table SAS for table "${tableSas}".` };
    }
    const page = await ats.listTablesPage({ top: 1, signal: signals.signal });
    if (page.names[0] !== undefined) state.firstTable = page.names[0];
    return { ok: true, message: 'Azure accepted the credential (listed tables).' };
  } catch (error) {
    const failure = classify(error, signals);
    if (failure.kind === 'permission') {
      state.listRefused = failure;
      return {
        ok: true,
        message: `Azure accepted the credential but refused listing tables (${failure.serviceCode}).`,
      };
    }
    return { ok: false, message: authenticationMessage(failure, connection, timeoutMs) };
  }
}

function authenticationMessage(
  failure: Failure,
  connection: ParsedConnectionString,
  timeoutMs: number,
): string {
  const { credential, endpoint } = connection;
  if (failure.kind === 'authentication') {
    return credential.kind === 'key'
      ? `Azure rejected the account key for account "${credential.accountName}" (${failure.serviceCode}). Copy key1 or key2 again from the storage account's "Access keys" page (keys change when rotated), and check that AccountName matches the key. If the key is right, the storage firewall may be blocking Sluice's address.`
      : `Azure rejected the shared access signature (${failure.serviceCode}): it was altered when copied, signed with a key that has since been rotated, issued for another account, or is outside its validity window. Generate a new SAS and update the connection.`;
  }
  if (
    failure.kind === 'table-not-found' &&
    credential.kind === 'sas' &&
    credential.sas.tableName !== undefined
  ) {
    return `The table SAS is for table "${credential.sas.tableName}" (its tn= field), which does not exist.`;
  }
  return describeFailure(failure, 'authenticating', endpoint, timeoutMs);
}

/** What an account SAS lacks for listing tables and reading entities, from its ss=, srt= and sp= fields. */
function sasPermissionProblem(sas: SasInfo): string | undefined {
  if (sas.tableName !== undefined) {
    return `The shared access signature is scoped to the single table "${sas.tableName}" (a table SAS, tn= field). Sluice lists the account's tables, which needs an account SAS: generate one with services "t" (ss=t), resource types service + object (srt=so or sco) and permissions read + list (sp=rl).`;
  }
  const missing: string[] = [];
  if (sas.services !== undefined && !sas.services.includes('t')) {
    missing.push(`the Table service (ss=${sas.services} has no "t")`);
  }
  const srt = sas.resourceTypes ?? '';
  if (!srt.includes('s')) missing.push(`resource type service, to list tables (srt=${srt} has no "s")`);
  if (!srt.includes('o')) missing.push(`resource type object, to read entities (srt=${srt} has no "o")`);
  // An empty sp= means a stored access policy (si=) holds the permissions; Azure's answers decide then.
  if (sas.permissions !== '' && !sas.permissions.includes('l')) {
    missing.push(`permission list (sp=${sas.permissions} has no "l")`);
  }
  if (sas.permissions !== '' && !sas.permissions.includes('r')) {
    missing.push(`permission read, to query entities (sp=${sas.permissions} has no "r")`);
  }
  if (missing.length === 0) return undefined;
  return `The shared access signature does not grant ${missing.join('; ')}. Generate an account SAS with ss=t, srt=sco and sp=rl.`;
}

async function authorizeStage(state: State, signals: Signals, timeoutMs: number): Promise<StageResult> {
  const { connection, ats } = state;
  if (connection === undefined || ats === undefined) return { ok: false, message: 'Not connected.' };
  const { credential, endpoint } = connection;
  if (credential.kind === 'sas') {
    const problem = sasPermissionProblem(credential.sas);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  if (state.listRefused !== undefined) {
    return {
      ok: false,
      message: `Azure refused listing the account's tables (${serviceCodeOf(state.listRefused)}). The credential needs permission to list tables and read entities: an account key, or an account SAS with ss=t, srt=sco and sp=rl.`,
    };
  }
  const table = state.firstTable;
  if (table === undefined) {
    return {
      ok: true,
      message: 'May list tables; the account has no table yet, so reading entities was not checked.',
    };
  }
  try {
    await ats.queryEntitiesPage(table, { top: 1, signal: signals.signal });
    return { ok: true, message: `May list tables and read entities (checked on table "${table}").` };
  } catch (error) {
    const failure = classify(error, signals);
    if (failure.kind === 'permission' || failure.kind === 'authentication') {
      return {
        ok: false,
        message: `Azure allowed listing tables but refused reading entities of table "${table}" (${serviceCodeOf(failure)}). The credential needs read (query) permission on entities: an account SAS with srt including "o" and sp including "r".`,
      };
    }
    return { ok: false, message: describeFailure(failure, `reading table "${table}"`, endpoint, timeoutMs) };
  }
}

const serviceCodeOf = (failure: Failure): string =>
  'serviceCode' in failure ? failure.serviceCode : failure.kind;
