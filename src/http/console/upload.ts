import multer from 'multer';
import type { Request, RequestHandler } from 'express';
import { OnrampError } from '../../errors';
import type { ConsoleContext } from './context';

/** What one console upload form accepts: its file field, the sizes, and its refusals in the page's own words. */
export interface UploadSpec {
  /** The form's one file field. */
  field: string;
  /** The largest file taken in (bytes); past it, `tooLarge()` (413). */
  fileSize: number;
  /** The largest other field (bytes); past it, `tooLarge()` when `fieldsCarryTheDocument`, else the form is refused (400). */
  fieldSize: number;
  /** How many other fields the form has at most (besides its CSRF field, counted in). */
  fields: number;
  /** A field may carry the document itself (pasted), so one past `fieldSize` is refused as too large. */
  fieldsCarryTheDocument?: boolean;
  /** The 413 refusal, with the page's own code and message. */
  tooLarge: () => OnrampError;
  /** Why a form with another file field, or more than one file, or too many fields, is refused (400). */
  notTheForm: string;
}

export interface ConsoleUpload {
  /** The middleware, in order: the tenant-admin check before any of the body is read, then the body read into memory. */
  handlers: RequestHandler[];
  /** The uploaded file (undefined when none was sent); throws the upload's refusal, if any. Call it after the CSRF check. */
  take(req: Request): Express.Multer.File | undefined;
}

const notMultipart = () =>
  new OnrampError('unsupported_media_type', 'The form was refused: send it as the page sends it, a file upload (multipart/form-data).', { status: 415 });

const incomplete = () => new OnrampError('validation_failed', 'The upload was not a complete form; choose the file and send it again.', { status: 400 });

/**
 * A console form that uploads one file: only a tenant's admin (or the
 * operator) gets as far as sending it — the others are refused (403,
 * audited) before the body is read. The body is then read into memory
 * under the form's limits. A refused body (too large, not the form, not
 * multipart) is not an error page of its own: the refusal is kept on the
 * request and thrown by `take`, once the form's guard checked its CSRF
 * token (carried in the multipart body), so it shows as any other refusal.
 */
export function consoleUpload(ctx: Pick<ConsoleContext, 'adminBeforeBody'>, spec: UploadSpec): ConsoleUpload {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: spec.fileSize, fieldSize: spec.fieldSize, files: 1, fields: spec.fields, parts: spec.fields + 1 },
  }).single(spec.field);
  const refusals = new WeakMap<Request, OnrampError>();

  /** Multer's refusal in the product's words (never the parser's text about what was sent). */
  const refusal = (err: unknown): OnrampError => {
    if (!(err instanceof multer.MulterError)) return incomplete();
    if (err.code === 'LIMIT_FILE_SIZE' || (err.code === 'LIMIT_FIELD_VALUE' && spec.fieldsCarryTheDocument)) return spec.tooLarge();
    return new OnrampError('validation_failed', spec.notTheForm, { status: 400 });
  };

  const read: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      refusals.set(req, notMultipart());
      return next();
    }
    parse(req, res, (err?: unknown) => {
      if (err !== undefined && err !== null) refusals.set(req, refusal(err));
      next();
    });
  };

  return {
    handlers: [ctx.adminBeforeBody, read],
    take(req) {
      const refused = refusals.get(req);
      if (refused) throw refused;
      return req.file;
    },
  };
}
