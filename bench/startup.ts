/**
 * Start-up of the durable processes, built vs sources: each role (worker, web)
 * started `rounds` times in each runtime, alternating so both meet the same
 * machine, each on its own task queue; time to `ready` and peak RSS at ready.
 */
import { randomBytes } from 'node:crypto';
import { freePort } from '../src/devservices/ports';
import { startServer } from './processes';

export interface StartupFigures {
  runtime: 'built' | 'tsx';
  role: 'worker' | 'web';
  startMs: number[];
  rssMiB: number[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function measureStartup(
  entries: { built: string; tsx: string },
  env: Record<string, string>,
  rounds: number,
  log: (line: string) => void,
): Promise<StartupFigures[]> {
  const figures: StartupFigures[] = [];
  const slot = (runtime: 'built' | 'tsx', role: 'worker' | 'web') => {
    let f = figures.find((x) => x.runtime === runtime && x.role === role);
    if (!f) figures.push((f = { runtime, role, startMs: [], rssMiB: [] }));
    return f;
  };
  for (let round = 0; round < rounds; round++) {
    for (const role of ['worker', 'web'] as const) {
      for (const runtime of round % 2 === 0 ? (['built', 'tsx'] as const) : (['tsx', 'built'] as const)) {
        const server = await startServer(
          `${runtime}-${role}`,
          {
            ...env,
            ONRAMP_ROLE: role,
            ONRAMP_PORT: role === 'web' ? String(await freePort()) : '0',
            TEMPORAL_TASK_QUEUE: `startup-${randomBytes(4).toString('hex')}`,
          },
          entries[runtime],
        );
        const f = slot(runtime, role);
        f.startMs.push(server.startMs);
        f.rssMiB.push(server.peakRssMiB() ?? 0);
        await server.stop();
        log(`startup: ${runtime} ${role} ready in ${server.startMs} ms, ${f.rssMiB[f.rssMiB.length - 1]} MiB`);
      }
    }
  }
  return figures;
}

export function startupTable(figures: StartupFigures[]): string {
  const rows = ['| process | runtime | start p50 ms | start min–max ms | RSS at ready p50 MiB |', '| --- | --- | ---: | ---: | ---: |'];
  for (const f of figures)
    rows.push(`| ${f.role} | ${f.runtime} | ${median(f.startMs)} | ${Math.min(...f.startMs)}–${Math.max(...f.startMs)} | ${median(f.rssMiB)} |`);
  return rows.join('\n');
}
