import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { csvProblem, csvProblemMessage, emptyFileMessage, lineEndingNormalizer } from '../domain/importFileRules';
import { OnrampError } from '../errors';

export const IMPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The largest file an import reads (100,000 rows of a few hundred bytes fit well within it). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** The longest line or record. */
const MAX_RECORD_BYTES = 64 * 1024;

/** One record of the file, as its format gives it: an object, or why the line is not one. */
export type FileRecord = { raw: unknown } | { unreadable: string };

/** The file as read: its bytes with one line ending (LF), and the SHA-256 of the bytes as sent, once they are all read. */
export interface ImportFileBody {
  body: Readable;
  /** Hex SHA-256 of the bytes as sent (before any rewriting); only once `body` has ended. */
  digest(): string;
}

/**
 * The request's bytes, counted (413 past MAX_IMPORT_BYTES), hashed as sent
 * (the same key with a different file is told apart by it) and with every
 * line ending rewritten to LF (domain/importFileRules.ts).
 */
export function importFileBody(stream: Readable): ImportFileBody {
  let seen = 0;
  const hash = createHash('sha256');
  let digest: string | null = null;
  const lines = lineEndingNormalizer();
  const body = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > MAX_IMPORT_BYTES) {
        done(new OnrampError('body_too_large', `An import is at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`, { status: 413 }));
        return;
      }
      hash.update(chunk);
      done(null, Buffer.from(lines.push(chunk)));
    },
    flush(done) {
      digest = hash.digest('hex');
      done(null, Buffer.from(lines.end()));
    },
  });
  stream.on('error', (err) => body.destroy(err));
  stream.pipe(body);
  return {
    body,
    digest() {
      if (digest === null) throw new Error('the file is not read to its end yet');
      return digest;
    },
  };
}

/** Read the whole file only to hash it (a re-sent upload compared with the import its key names). */
export async function digestOf(stream: Readable): Promise<string> {
  const file = importFileBody(stream);
  file.body.resume();
  await finished(file.body);
  return file.digest();
}

/** Entra's bulk-create template starts with a `version:v1.0` line before its header. */
const isVersionLine = (record: string[]): boolean => record.length === 1 && /^version:/i.test(record[0] ?? '');

/**
 * The file's records, streamed (never the whole file in memory): CSV with a
 * header row (csv-parse: quotes, BOM) or JSON lines, from a body whose line
 * endings are one (importFileBody). A CSV the parser cannot follow (an
 * unclosed quote) stops the import with 400 `import_malformed` naming the
 * row, in the product's words; a JSON line that is not JSON is that row's
 * error only. A file without rows (empty, or a header only) is 400
 * `import_empty`.
 */
export async function* recordsOf(body: Readable, format: ImportFormat): AsyncGenerator<FileRecord> {
  let rows = 0;
  if (format === 'csv') {
    // Rows counted as the parser reads them (ahead of the loop below), so an error names the row it stopped at.
    let parsedHeader = false;
    let parsedRows = 0;
    const countRow = (record: string[]): string[] => {
      if (parsedHeader) parsedRows++;
      else if (!isVersionLine(record)) parsedHeader = true;
      return record;
    };
    const parser = body.pipe(
      parse({
        bom: true,
        trim: true,
        skip_empty_lines: true,
        relax_column_count: true,
        max_record_size: MAX_RECORD_BYTES,
        record_delimiter: '\n',
        on_record: countRow,
      }),
    );
    body.on('error', (err) => parser.destroy(err));
    let header: string[] | null = null;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (!header && isVersionLine(record)) continue;
        if (!header) {
          header = record;
          continue;
        }
        rows++;
        // Column names only ever compared (importRows.ts); fromEntries defines own properties (no prototype writes).
        yield { raw: Object.fromEntries(header.map((h, i) => [h, record[i] ?? ''])) };
      }
    } catch (err) {
      if (err instanceof OnrampError) throw err;
      // The parser's own message quotes the file: only its code and line are used.
      const parsed = err as { code?: unknown; lines?: unknown };
      const line = typeof parsed.lines === 'number' ? parsed.lines : null;
      const row = parsedRows + 1;
      throw new OnrampError('import_malformed', csvProblemMessage(csvProblem(typeof parsed.code === 'string' ? parsed.code : undefined), { row, line }), {
        status: 400,
        details: { row, ...(line ? { line } : {}) },
      });
    }
    if (rows === 0) throw new OnrampError('import_empty', emptyFileMessage(header !== null), { status: 400 });
    return;
  }
  const lines = createInterface({ input: body, crlfDelay: Infinity });
  let failure: unknown = null;
  body.on('error', (err) => {
    failure = err;
    lines.close();
  });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    rows++;
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
  if (rows === 0) throw new OnrampError('import_empty', emptyFileMessage(false), { status: 400 });
}
