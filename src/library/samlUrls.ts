/** Every URL of a SAML connection derives from the public base URL and the connection ID — defined once here. */
export function samlUrls(publicUrl: string, connectionId: string) {
  const base = `${publicUrl}/sso/saml/${connectionId}`;
  return {
    spEntityId: `${base}/metadata`,
    metadataUrl: `${base}/metadata`,
    acsUrl: `${base}/acs`,
    loginUrl: `${base}/login`,
  };
}
