import multer from 'multer';
import type { Request, RequestHandler } from 'express';
import { MAX_METADATA_BYTES } from '../../domain/samlMetadata';
import { OnrampError } from '../../errors';

/** The file field of the console's "new SAML connection" form. */
export const METADATA_FILE_FIELD = 'metadataFile';

const tooLarge = () =>
  new OnrampError('saml_metadata_too_large', `The metadata document is larger than ${MAX_METADATA_BYTES / 1024 / 1024} MB.`, { status: 413 });

/**
 * The metadata form's multipart body, read into memory under the admin API's
 * metadata size (the document, uploaded or pasted, at most MAX_METADATA_BYTES).
 * A body past a limit is not an error page of its own: the refusal is kept on
 * the request (`uploadRefusal`) for the form's handler to show once the CSRF
 * check passed, as any other refused document is.
 */
const parser = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_METADATA_BYTES, fieldSize: MAX_METADATA_BYTES, files: 1, fields: 10, parts: 12 },
}).single(METADATA_FILE_FIELD);

const refusals = new WeakMap<Request, OnrampError>();

export const metadataUpload: RequestHandler = (req, res, next) => {
  parser(req, res, (err?: unknown) => {
    if (err === undefined || err === null) return next();
    if (err instanceof multer.MulterError) {
      refusals.set(
        req,
        err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE'
          ? tooLarge()
          : new OnrampError('validation_failed', 'The form was refused: it is not the metadata form (one file, its fields).', { status: 400 }),
      );
      return next();
    }
    next(err);
  });
};

/** The refusal of this request's upload (too large, not the form), if any. */
export const uploadRefusal = (req: Request): OnrampError | undefined => refusals.get(req);

/** The uploaded metadata document as text, or undefined when no file (or an empty one) was sent. */
export function uploadedXml(req: Request): string | undefined {
  const file = req.file;
  if (!file || file.buffer.length === 0) return undefined;
  if (file.buffer.length > MAX_METADATA_BYTES) throw tooLarge();
  return file.buffer.toString('utf8');
}
