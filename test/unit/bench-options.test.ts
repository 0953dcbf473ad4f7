import { describe, expect, it } from 'vitest';
import { OPTIONS, parseBenchArgs, usage } from '../../bench/options';

describe('the bench command line', () => {
  it('takes every default when given nothing', () => {
    const parsed = parseBenchArgs([]);
    expect(parsed).toEqual({
      kind: 'options',
      options: {
        scenarios: ['signin', 'scim', 'admin'],
        modes: ['durable', 'inline'],
        count: 200,
        concurrency: 20,
        burst: 1000,
        burstConcurrency: 50,
        maxSeconds: 1500,
        importRows: 10_000,
        invitations: 20,
        scimUsers: 10_000,
        scimGroups: 50,
        scimGroupMax: 2000,
        webhookDrainSeconds: 1800,
        webhookEndpoints: ['none', 'healthy', 'dead'],
        runtime: 'built',
        out: 'bench/results/latest.json',
      },
    });
  });

  it('reads numbers, lists and paths, in both spellings', () => {
    const parsed = parseBenchArgs([
      '--count',
      '5',
      '--burst=0',
      '--modes',
      'inline',
      '--scenarios',
      'admin,signin',
      '--runtime',
      'tsx',
      '--out',
      '/tmp/x.json',
    ]);
    if (parsed.kind !== 'options') throw new Error(JSON.stringify(parsed));
    expect(parsed.options).toMatchObject({ count: 5, burst: 0, modes: ['inline'], scenarios: ['admin', 'signin'], runtime: 'tsx', out: '/tmp/x.json' });
  });

  it('prints usage for --help and -h, naming every option with its default', () => {
    for (const flag of ['--help', '-h']) {
      const parsed = parseBenchArgs([flag]);
      expect(parsed.kind).toBe('help');
    }
    const text = usage();
    for (const [name, spec] of Object.entries(OPTIONS)) {
      const line = text.split('\n').find((l) => l.trimStart().startsWith(`--${name} `));
      expect(line, name).toBeDefined();
      expect(line).toContain(`[${spec.default}]`);
    }
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--count'], /argument missing/],
    [['positional'], /positional/],
    [['--count', '0'], /--count must be an integer in \[1, 20000\] \(got "0"\)/],
    [['--count', '1.5'], /--count must be an integer/],
    [['--count', ''], /--count must be an integer/],
    [['--burst', 'many'], /--burst must be an integer/],
    [['--modes', 'durable,fast'], /--modes lists durable, inline \(got "fast"\)/],
    [['--modes', ','], /--modes needs at least one/],
    [['--scenarios', 'sigin'], /--scenarios lists signin, scim, admin, webhooks, startup \(got "sigin"\)/],
    [['--webhook-endpoints', 'none,slow'], /--webhook-endpoints lists none, healthy, dead/],
    [['--runtime', 'built,tsx'], /--runtime is one of built, tsx \(got "built,tsx"\)/],
  ])('refuses %j with a clear message', (argv, message) => {
    const parsed = parseBenchArgs(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' ? parsed.message : '').toMatch(message);
  });
});
