import express, { type RequestHandler } from 'express';
import { MAX_METADATA_BYTES } from '../../domain/samlMetadata';
import { OnrampError } from '../../errors';

/** The admin API's routes that take a SAML metadata document in their JSON body. */
const METADATA_ROUTE = /^\/tenants\/[^/]+\/connections\/saml\/(?:from-metadata|[^/]+\/metadata)$/;

/** JSON escaping can grow a document; the document itself is held to MAX_METADATA_BYTES by the reader. */
const metadataJson = express.json({ limit: MAX_METADATA_BYTES * 2 });

/**
 * Bodies of the metadata routes are read here, with room for a metadata
 * document (the admin API's other bodies stay under its general limit); a
 * body past that room is refused as `saml_metadata_too_large` (413) without
 * being read further.
 */
export const samlMetadataBodies: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || !METADATA_ROUTE.test(req.path)) return next();
  metadataJson(req, res, (err?: unknown) => {
    const type = typeof err === 'object' && err !== null && 'type' in err ? (err as { type: unknown }).type : null;
    if (type === 'entity.too.large')
      return next(new OnrampError('saml_metadata_too_large', `The metadata document is larger than ${MAX_METADATA_BYTES / 1024 / 1024} MB.`, { status: 413 }));
    next(err);
  });
};
