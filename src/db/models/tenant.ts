import { Schema, type Connection, type InferSchemaType } from 'mongoose';

export const tenantSchema = new Schema(
  {
    slug: { type: String, required: true },
    name: { type: String, required: true },
    jit: {
      enabled: { type: Boolean, required: true, default: true },
      defaultRoles: { type: [String], required: true, default: ['member'] },
    },
  },
  { timestamps: true, collection: 'tenants' },
);
tenantSchema.index({ slug: 1 }, { unique: true });

export type TenantDoc = InferSchemaType<typeof tenantSchema>;
export const tenantModel = (conn: Connection) => conn.model('Tenant', tenantSchema);
