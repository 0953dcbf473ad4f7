/** A browser-like client of onramp's pages (email sign-in, invitations): one cookie, the CSRF token from the last page. */
export class Browser {
  cookie = '';
  csrf = '';
  constructor(private readonly base: string) {}

  private remember(res: Response, html: string) {
    const set = res.headers.get('set-cookie')?.split(';')[0];
    if (set) this.cookie = set;
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
