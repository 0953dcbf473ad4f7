/** A browser-like client of onramp's pages (email sign-in, invitations): its cookies, the CSRF token from the last page. */
export class Browser {
  private readonly jar = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}

  /** The Cookie header this browser sends. */
  get cookie(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(res: Response, html: string) {
    for (const set of res.headers.getSetCookie()) {
      const pair = set.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.csrf;
  }

  async open(path: string) {
    const res = await fetch(`${this.base}${path}`, { headers: { cookie: this.cookie } });
    const html = await res.text();
    this.remember(res, html);
    return { status: res.status, html };
  }

  async submit(path: string, form: Record<string, string>) {
    const res = await fetch(`${this.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
    const html = await res.text();
    this.remember(res, html);
    return { status: res.status, html, location: res.headers.get('location') };
  }
}
