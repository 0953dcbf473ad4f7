/** The data packages export plain lists of domains. */
declare module 'email-providers' {
  const domains: string[];
  export default domains;
}
