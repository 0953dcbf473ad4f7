/** `npm run docs:config` — writes docs/configuration.md from the env schema (see configReference.ts). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from './configReference';

const target = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));
writeFileSync(target, renderConfigReference());
process.stdout.write(`wrote ${target}\n`);
