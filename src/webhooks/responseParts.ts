import { StringDecoder } from 'node:string_decoder';
import { MAX_RETRY_AFTER_SECONDS } from '../domain/webhookRetry';

/** bodyExcerpt holds at most this many bytes of the body (as UTF-8, whole characters only). */
export const BODY_EXCERPT_BYTES = 1024;

/** The first BODY_EXCERPT_BYTES of the body as UTF-8 text, whole characters only, never more bytes than that. */
export function excerptOf(bytes: Buffer): string {
  // StringDecoder.write() holds back a character cut at the end.
  const text = new StringDecoder('utf8').write(bytes.subarray(0, BODY_EXCERPT_BYTES));
  let out = '';
  let size = 0;
  for (const ch of text) {
    size += Buffer.byteLength(ch);
    if (size > BODY_EXCERPT_BYTES) break;
    out += ch;
  }
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
const RFC850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/;
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, RFC 850 or asctime) as epoch milliseconds; null when it is none. */
export function parseHttpDate(value: string): number | null {
  const v = value.trim().toLowerCase();
  let day: string, month: string, year: number, h: string, m: string, s: string;
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(v))) {
    [, day = '', month = '', , h = '', m = '', s = ''] = match;
    year = Number(match[3]);
  } else if ((match = RFC850_DATE.exec(v))) {
    [, day = '', month = '', , h = '', m = '', s = ''] = match;
    const yy = Number(match[3]);
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const thisYear = new Date().getUTCFullYear();
    year = 2000 + yy > thisYear + 50 ? 1900 + yy : 2000 + yy;
  } else if ((match = ASCTIME_DATE.exec(v))) {
    [, month = '', day = '', h = '', m = '', s = ''] = match;
    year = Number(match[6]);
  } else {
    return null;
  }
  const monthIndex = MONTHS.indexOf(month);
  const [dd, hh, mi, ss] = [day, h, m, s].map((x) => Number(x.trim())) as [number, number, number, number];
  if (monthIndex < 0 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 60) return null;
  const time = Date.UTC(year, monthIndex, dd, hh, mi, ss);
  return new Date(time).getUTCDate() === dd ? time : null;
}

/**
 * Retry-After (RFC 9110 §10.2.3) as seconds from `now`: delta-seconds or an
 * HTTP-date, at least 0, at most MAX_RETRY_AFTER_SECONDS; null when absent or
 * not valid.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_RETRY_AFTER_SECONDS);
  const at = parseHttpDate(text);
  if (at === null) return null;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}
