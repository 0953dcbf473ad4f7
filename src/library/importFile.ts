import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { OnrampError } from '../errors';

export const IMPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The largest file an import reads (100,000 rows of a few hundred bytes fit well within it). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** The longest line or record. */
const MAX_RECORD_BYTES = 64 * 1024;

/** One record of the file, as its format gives it: an object, or why the line is not one. */
export type FileRecord = { raw: unknown } | { unreadable: string };

/** Counts the bytes going through and stops the stream past MAX_IMPORT_BYTES. */
function byteLimit(): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > MAX_IMPORT_BYTES) done(new OnrampError('body_too_large', `An import is at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`, { status: 413 }));
      else done(null, chunk);
    },
  });
}

/**
 * The file's records, streamed (never the whole file in memory): CSV with a
 * header row (csv-parse: quotes, BOM, CRLF) or JSON lines. A CSV the parser
 * cannot follow (an unclosed quote) stops the import with 400
 * `import_malformed` naming the line; a JSON line that is not JSON is that
 * row's error only.
 */
export async function* recordsOf(stream: Readable, format: ImportFormat): AsyncGenerator<FileRecord> {
  const limited = stream.pipe(byteLimit());
  stream.on('error', (err) => limited.destroy(err));
  if (format === 'csv') {
    const parser = limited.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, max_record_size: MAX_RECORD_BYTES }));
    limited.on('error', (err) => parser.destroy(err));
    let header: string[] | null = null;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        // Entra's bulk-create template starts with a `version:v1.0` line before its header.
        if (!header && record.length === 1 && /^version:/i.test(record[0] ?? '')) continue;
        if (!header) {
          header = record;
          continue;
        }
        // Column names only ever compared (importRows.ts); fromEntries defines own properties (no prototype writes).
        yield { raw: Object.fromEntries(header.map((h, i) => [h, record[i] ?? ''])) };
      }
    } catch (err) {
      if (err instanceof OnrampError) throw err;
      throw new OnrampError('import_malformed', `The CSV cannot be read: ${err instanceof Error ? err.message.slice(0, 300) : 'parse error'}`, { status: 400 });
    }
    return;
  }
  const lines = createInterface({ input: limited, crlfDelay: Infinity });
  let failure: unknown = null;
  limited.on('error', (err) => {
    failure = err;
    lines.close();
  });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    if (line.length > MAX_RECORD_BYTES) {
      yield { unreadable: 'the line is longer than 64 KB' };
      continue;
    }
    try {
      yield { raw: JSON.parse(line) as unknown };
    } catch {
      yield { unreadable: 'the line is not JSON' };
    }
  }
  if (failure) throw failure;
}
