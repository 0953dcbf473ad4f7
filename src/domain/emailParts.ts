/** The domain of an already-normalized email. Dependency-free: the workflow sandbox imports it. */
export function emailDomain(normalizedEmail: string): string {
  return normalizedEmail.slice(normalizedEmail.lastIndexOf('@') + 1);
}
