/**
 * Rows whose path takes a date range (billing insights: `/insights/{start_date}/{end_date}`): the two
 * days are validated as DigitalOcean does (YYYY-MM-DD, end not before start, at most `maxDays` days
 * counting both ends) and become the range the answer is filtered by.
 */
import type { StreamDef } from '../src/streams/types.js';
import type { DayRange } from './data/dataset.js';

const DAY_MS = 86_400_000;

export type WindowResult = { ok: true; range: DayRange } | { ok: false; status: 422; message: string };

/** Midnight UTC of a `YYYY-MM-DD` day that exists, else undefined (`2026-02-30`, `2026-9-1`, a time). */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
}

/** undefined: the row takes no range. */
export function parseWindow(def: StreamDef, params: Readonly<Record<string, string>>, maxDays: number): WindowResult | undefined {
  const spec = def.dateWindows;
  if (!spec) return undefined;
  const days: number[] = [];
  for (const name of [spec.start, spec.end]) {
    const day = parseDay(params[name] ?? '');
    if (day === undefined) return { ok: false, status: 422, message: `${name} must be a date in the format YYYY-MM-DD` };
    days.push(day);
  }
  const [from, to] = days;
  if (to < from) return { ok: false, status: 422, message: `${spec.end} must not be before ${spec.start}` };
  if ((to - from) / DAY_MS + 1 > maxDays) {
    return { ok: false, status: 422, message: `${spec.end} must be within ${maxDays} days of ${spec.start}` };
  }
  return { ok: true, range: { from, to } };
}
