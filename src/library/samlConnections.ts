import { X509Certificate } from 'node:crypto';
import { Types } from 'mongoose';
import type { Models } from '../db/models';
import { recordAction } from '../db/audit';
import type { SamlConnectionDoc } from '../db/models/samlConnection';
import { samlUrls } from '../http/saml/urls';

export interface SamlConnectionInput {
  name: string;
  idpEntityId: string;
  ssoUrl: string;
  certificates: string[];
  attributeMapping: { email: string; name: string; groups: string; custom: Record<string, string> };
  allowIdpInitiated: boolean;
  linkPolicy: 'auto' | 'approval' | 'deny' | null;
  allowedDomains: string[] | null;
}

export function describeCertificate(body: string): { fingerprint256: string; validTo: string } {
  const cert = new X509Certificate(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`);
  return { fingerprint256: cert.fingerprint256, validTo: new Date(cert.validTo).toISOString() };
}

export function createSamlConnectionLibrary(models: Models, publicUrl: string) {
  const present = (conn: SamlConnectionDoc & { createdAt?: Date }) => {
    const urls = samlUrls(publicUrl, String(conn._id));
    return {
      id: String(conn._id),
      tenantId: String(conn.tenantId),
      name: conn.name,
      enabled: conn.enabled,
      spEntityId: conn.spEntityId,
      acsUrl: urls.acsUrl,
      metadataUrl: urls.metadataUrl,
      loginUrl: urls.loginUrl,
      idpEntityId: conn.idpEntityId,
      ssoUrl: conn.ssoUrl,
      attributeMapping: {
        email: conn.attributeMapping?.email ?? 'email',
        name: conn.attributeMapping?.name ?? 'name',
        groups: conn.attributeMapping?.groups ?? 'groups',
        custom: (conn.attributeMapping?.custom ?? {}) as Record<string, string>,
      },
      allowIdpInitiated: conn.allowIdpInitiated,
      linkPolicy: conn.linkPolicy ?? null,
      allowedDomains: conn.allowedDomains ? [...conn.allowedDomains] : null,
      certificates: conn.certificates.map(describeCertificate),
      createdAt: conn.createdAt ?? new Date(0),
    };
  };

  return {
    present,

    async create(tenantId: Types.ObjectId, input: SamlConnectionInput, actor: { type: 'admin'; id: string | null }) {
      const _id = new Types.ObjectId();
      const { spEntityId } = samlUrls(publicUrl, String(_id));
      const conn = await models.samlConnections.create({ _id, tenantId, spEntityId, ...input });
      await recordAction(models, {
        tenantId: String(tenantId),
        actor,
        action: 'connection.created',
        target: { type: 'saml_connection', id: String(_id) },
        after: { name: input.name, idpEntityId: input.idpEntityId, ssoUrl: input.ssoUrl, allowIdpInitiated: input.allowIdpInitiated },
      });
      return present(conn.toObject() as SamlConnectionDoc & { createdAt: Date });
    },

    async byId(id: string) {
      if (!Types.ObjectId.isValid(id) || id.length !== 24) return null;
      return models.samlConnections.findById(id).lean();
    },
  };
}
