import { describe, expect, it } from 'vitest';
import { csvProblem, csvProblemMessage, emptyFileMessage, lineEndingNormalizer } from '../../src/domain/importFileRules';
import { importFailureMessage, importFailureReason } from '../../src/domain/importFailure';

/** The file through the normalizer in the given chunk sizes, as text. */
function normalized(text: string, chunkSizes: number[] = [text.length]): string {
  const n = lineEndingNormalizer();
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] ?? bytes.length;
    out.push(Buffer.from(n.push(bytes.subarray(at, at + size))));
    at += size;
  }
  out.push(Buffer.from(n.end()));
  return Buffer.concat(out).toString('utf8');
}

describe('import files: one line ending per file', () => {
  it.each([
    ['header CRLF, rows LF', 'email,groups\r\na@x.test,Staff\nb@x.test,Ops\n'],
    ['header LF, rows CRLF', 'email,groups\na@x.test,Staff\r\nb@x.test,Ops\r\n'],
    ['lone CR (classic Mac)', 'email,groups\ra@x.test,Staff\rb@x.test,Ops\r'],
    ['all three mixed', 'email,groups\r\na@x.test,Staff\rb@x.test,Ops\n'],
  ])('%s: every line ends in LF, nothing merged', (_shape, file) => {
    expect(normalized(file)).toBe('email,groups\na@x.test,Staff\nb@x.test,Ops\n');
  });

  it('a CRLF split across chunks is one line ending; a CR at the very end is one too; other bytes (UTF-8 included) pass as they are', () => {
    const file = 'email,name\r\nzoë@x.test,Zoë Ünal\r\nyo@x.test,Yo\r';
    for (const sizes of [[1], [2], [3], [5, 1], [13], [14]]) expect(normalized(file, sizes)).toBe('email,name\nzoë@x.test,Zoë Ünal\nyo@x.test,Yo\n');
    expect(normalized('a\r\r\nb')).toBe('a\n\nb');
    expect(normalized('')).toBe('');
  });

  it("tells what is wrong with a CSV in the product's words, with the row and line, never the file's text", () => {
    expect(csvProblem('CSV_QUOTE_NOT_CLOSED')).toBe('a quoted value is never closed');
    expect(csvProblem('CSV_SOMETHING_NEW')).toBe('the row is not valid CSV');
    expect(csvProblem(undefined)).toBe('the row is not valid CSV');
    expect(csvProblemMessage(csvProblem('CSV_INVALID_CLOSING_QUOTE'), { row: 3, line: 4 })).toMatch(
      /^The CSV cannot be read at row 3 \(line 4 of the file\): a quote is followed by text/,
    );
    expect(csvProblemMessage('x', { row: 1, line: null })).toBe('The CSV cannot be read at row 1: x. Nothing was imported.');
    expect(emptyFileMessage(true)).toMatch(/header row but no rows/);
    expect(emptyFileMessage(false)).toMatch(/empty/);
  });

  it('names why an import stopped from how its chunk gave up, and where to resume', () => {
    expect(importFailureReason('NON_RETRYABLE_FAILURE')).toBe('chunk_refused');
    expect(importFailureReason('MAXIMUM_ATTEMPTS_REACHED')).toBe('chunk_retries_exhausted');
    expect(importFailureReason('TIMEOUT')).toBe('chunk_timed_out');
    expect(importFailureReason(null)).toBe('chunk_failed');
    expect(importFailureMessage('chunk_refused', 1, 100, 'ImportChunkMissing')).toBe(
      'Rows 101–200 were refused with an error that retrying cannot fix (ImportChunkMissing). Rows before them are done; send the same file with the same key again to resume.',
    );
    // An error type that is not a plain name is left out.
    expect(importFailureMessage('chunk_failed', 0, 100, 'E11000 duplicate key <x@y>')).toBe(
      'Rows 1–100 failed. Rows before them are done; send the same file with the same key again to resume.',
    );
  });
});
