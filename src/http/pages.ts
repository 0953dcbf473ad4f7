/** Minimal server-rendered pages. Every interpolated value goes through escapeHtml. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · onramp</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}.muted{color:#666}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

export function errorPage(title: string, message: string, code: string): string {
  return page(title, `<p>${escapeHtml(message)}</p><p class="muted">Reason code: <code>${escapeHtml(code)}</code></p>`);
}
