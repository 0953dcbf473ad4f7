import type { Router } from 'express';
import { z } from 'zod';
import packageJson from '../../../package.json';
import { openApiDocument, type OpenApiDocument } from '../openapi/document';
import { route } from '../route';

/** The document's outline (the rest passes through as built). */
const documentOut = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/**
 * `GET /openapi.json` on the admin router: the OpenAPI 3.1 document of the
 * routes registered on `router` (built on the first request, when they all are).
 */
export function serveOpenApiDocument(router: Router, publicUrl: string): void {
  let document: OpenApiDocument | null = null;
  router.get(
    '/openapi.json',
    route({ summary: "This document: the admin API's OpenAPI 3.1 description, built from the routes' own schemas", response: documentOut }, async () => {
      document ??= openApiDocument(router, {
        title: 'onramp admin API',
        version: packageJson.version,
        description:
          'Tenants, their SSO connections, domains, policies, groups, members, invitations, imports, SCIM directories, approvals and audit log. Every call needs the admin bearer token. Errors are `{ error: { code, message, details? } }` with a stable code (src/errorCodes.ts).',
        serverUrl: `${publicUrl.replace(/\/$/, '')}/api/admin`,
      });
      return document;
    }),
  );
}
