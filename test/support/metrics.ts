/** One sample of a Prometheus exposition: its name, labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the text exposition format (comments skipped; label values unescaped). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

/** The series of `name` as `labels-as-JSON → value`, for comparing two scrapes. */
export function seriesOf(samples: Sample[], name: string): Map<string, number> {
  return new Map(samples.filter((s) => s.name === name).map((s) => [JSON.stringify(Object.entries(s.labels).sort()), s.value]));
}

/** What changed between two scrapes of one metric: `labels → delta`, only the series that moved. */
export function delta(before: Sample[], after: Sample[], name: string): Record<string, number> {
  const a = seriesOf(before, name);
  const out: Record<string, number> = {};
  for (const [key, value] of seriesOf(after, name)) {
    const moved = value - (a.get(key) ?? 0);
    if (moved !== 0) out[(JSON.parse(key) as [string, string][]).map(([k, v]) => `${k}=${v}`).join(',')] = moved;
  }
  return out;
}

/** GET a /metrics URL (with the operator's token, when given) and parse it. */
export async function scrape(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`scrape ${url}: ${res.status}`);
  return parseExposition(await res.text());
}
