/**
 * How an import file's bytes are read, whatever tool wrote them. Pure: bytes
 * in, bytes out; a parser's error code in, the product's own words out.
 *
 * Line endings: every CRLF, LF and lone CR ends a line, whatever the first
 * line used — a file whose header ends in CRLF and whose rows end in LF (a
 * header pasted from one tool, rows appended by another) is read row by row,
 * never two rows merged into one record. The bytes are rewritten to LF
 * before the CSV or JSON-lines reader sees them (CR and LF never occur
 * inside a UTF-8 multibyte sequence, so bytes can be rewritten one by one; a
 * line break inside a quoted value becomes LF too).
 */

const CR = 0x0d;
const LF = 0x0a;

export interface LineEndingNormalizer {
  /** The chunk with its line endings as LF (a CR at its very end is held back until the next byte says whether LF follows). */
  push(chunk: Uint8Array): Uint8Array;
  /** What was held back, at the end of the file. */
  end(): Uint8Array;
}

/** Rewrites CRLF and lone CR to LF across chunk boundaries. */
export function lineEndingNormalizer(): LineEndingNormalizer {
  let heldCr = false;
  return {
    push(chunk) {
      const out = new Uint8Array(chunk.length + 1);
      let o = 0;
      let i = 0;
      if (heldCr) {
        out[o++] = LF;
        if (chunk[0] === LF) i = 1;
        heldCr = false;
      }
      for (; i < chunk.length; i++) {
        const b = chunk[i] as number;
        if (b !== CR) {
          out[o++] = b;
          continue;
        }
        if (i === chunk.length - 1) {
          heldCr = true;
          break;
        }
        out[o++] = LF;
        if (chunk[i + 1] === LF) i++;
      }
      return out.subarray(0, o);
    },
    end() {
      const out = heldCr ? Uint8Array.of(LF) : new Uint8Array(0);
      heldCr = false;
      return out;
    },
  };
}

/** Why a CSV cannot be read, in the product's words (never the parser's, which quote the file). */
export function csvProblem(parserCode: string | undefined): string {
  switch (parserCode) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a quote is followed by text; write a quote inside a quoted value as two quotes ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a row is longer than 64 KB';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'a row has a different number of values than the header';
    default:
      return 'the row is not valid CSV';
  }
}

/** The 400 message for a CSV the reader stopped at: the data row (1 = the first after the header) and the file line. */
export function csvProblemMessage(problem: string, at: { row: number; line: number | null }): string {
  return `The CSV cannot be read at row ${at.row}${at.line ? ` (line ${at.line} of the file)` : ''}: ${problem}. Nothing was imported.`;
}

/** Why a file with no rows starts no import: nothing at all, or a header only. */
export function emptyFileMessage(sawHeader: boolean): string {
  return sawHeader ? 'The file has a header row but no rows; nothing to import.' : 'The file is empty; nothing to import.';
}
