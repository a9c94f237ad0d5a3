/**
 * scheduleParams as Flow Service accepts them (flow-service-api.md §3.7): values may be strings or
 * numbers (Adobe's docs send strings), `startTime` in epoch seconds (milliseconds accepted, detected by
 * magnitude). Each rule has its own code so a client learns exactly what to fix.
 */
import { AppError } from './errors.ts';
import { FREQUENCY_MS, type Frequency, type Schedule } from './flow-entities.ts';

const FREQUENCIES: readonly Frequency[] = ['once', 'minute', 'hour', 'day', 'week'];
const KNOWN = new Set(['startTime', 'frequency', 'interval', 'backfill']);
/** Epoch values above this are milliseconds (1e11 s is in the year 5138). */
const MS_THRESHOLD = 100_000_000_000;

const integerOf = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) {
    const parsed = Number(value);
    return Number.isSafeInteger(parsed) ? parsed : undefined;
  }
  return undefined;
};

export function parseSchedule(raw: unknown): Schedule {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AppError(
      'CONNECTOR-1312-400',
      'scheduleParams must be an object with startTime and frequency (and interval unless frequency is once).',
    );
  }
  const params = raw as Record<string, unknown>;
  const unknown = Object.keys(params).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw new AppError(
      'CONNECTOR-1312-400',
      `scheduleParams has unknown field(s) ${unknown.join(', ')}; allowed: startTime, frequency, interval, backfill.`,
    );
  }
  const start = integerOf(params['startTime']);
  if (start === undefined || start <= 0) {
    throw new AppError(
      'CONNECTOR-1360-400',
      `scheduleParams.startTime must be an epoch time in seconds (e.g. "${Math.floor(Date.now() / 1000)}"), given as a number or a string of digits.`,
    );
  }
  const startTime = start >= MS_THRESHOLD ? start : start * 1000;
  const frequency = typeof params['frequency'] === 'string' ? params['frequency'].toLowerCase() : undefined;
  if (frequency === undefined || !FREQUENCIES.includes(frequency as Frequency)) {
    throw new AppError(
      'CONNECTOR-1365-400',
      `scheduleParams.frequency must be one of ${FREQUENCIES.join(', ')}.`,
    );
  }
  if (frequency === 'once') {
    if ('interval' in params) {
      throw new AppError(
        'CONNECTOR-1361-400',
        'scheduleParams.interval is not allowed with frequency once; remove it.',
      );
    }
    if ('backfill' in params) {
      throw new AppError(
        'CONNECTOR-1364-400',
        'scheduleParams.backfill is not allowed with frequency once; remove it.',
      );
    }
    return { startTime, frequency: 'once', backfill: true };
  }
  if (!('interval' in params)) {
    throw new AppError(
      'CONNECTOR-1362-400',
      `scheduleParams.interval is required with frequency ${frequency} (e.g. "interval": "1").`,
    );
  }
  const interval = integerOf(params['interval']);
  if (interval === undefined || interval <= 0) {
    throw new AppError(
      'CONNECTOR-1362-400',
      'scheduleParams.interval must be a positive whole number (it can never be 0).',
    );
  }
  const minimum = frequency === 'minute' ? 15 : 1;
  if (interval < minimum) {
    throw new AppError(
      'CONNECTOR-1363-400',
      `scheduleParams.interval must be at least ${minimum} with frequency ${frequency}; ${interval} is too small.`,
    );
  }
  let backfill = true;
  if ('backfill' in params) {
    const value = params['backfill'];
    if (value === true || value === 'true') backfill = true;
    else if (value === false || value === 'false') backfill = false;
    else throw new AppError('CONNECTOR-1312-400', 'scheduleParams.backfill must be true or false.');
  }
  return { startTime, frequency: frequency as Frequency, interval, backfill };
}

/** The period between runs in ms; undefined for once. */
export const periodOf = (schedule: Schedule): number | undefined =>
  schedule.frequency === 'once' || schedule.interval === undefined
    ? undefined
    : FREQUENCY_MS[schedule.frequency] * schedule.interval;
