/**
 * Offline verifier of a published draw record; no database, no network.
 *
 *   npm run verify-draw -- <record.json> [--commitment=<hex>] [--target-pool-hash=<hex>]
 *                          [--inspector-pool-hash=<hex>] [--params-hash=<hex>]
 *
 * The optional flags are the values announced before the draw; the record must carry them.
 * Exit 0 and `MATCH`; exit 1 and `MISMATCH: <first difference>`; exit 2 when the file cannot be
 * read or is not a draw record.
 */
import { readFile } from 'node:fs/promises';

import { parseDrawRecord, verifyDrawRecord, type PublishedAnnouncement } from '../src/modules/draw/record.js';
import { sm3Node } from '../src/modules/draw/sm3-node.js';

const USAGE =
  'usage: npm run verify-draw -- <record.json> [--commitment=<hex>] [--target-pool-hash=<hex>] ' +
  '[--inspector-pool-hash=<hex>] [--params-hash=<hex>]';

const FLAGS: Record<string, keyof PublishedAnnouncement> = {
  '--commitment': 'commitment',
  '--target-pool-hash': 'targetPoolHash',
  '--inspector-pool-hash': 'inspectorPoolHash',
  '--params-hash': 'paramsHash',
};

function badInput(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const published: PublishedAnnouncement = {};
  const files: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('--')) {
      const [flag, value] = arg.split('=', 2) as [string, string | undefined];
      const field = FLAGS[flag];
      if (field === undefined || value === undefined || !/^[0-9a-fA-F]{64}$/.test(value)) {
        badInput(
          `bad option ${arg}: expected one of ${Object.keys(FLAGS).join(', ')} with =<64 hex digits>\n${USAGE}`,
        );
      }
      published[field] = value.toLowerCase();
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) badInput(`expected exactly one record file, got ${files.length}\n${USAGE}`);
  const file = files[0] as string;

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    badInput(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    badInput(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  let record;
  try {
    record = parseDrawRecord(json);
  } catch (error) {
    badInput(`${file} is not a draw record: ${(error as Error).message}`);
  }

  const verdict = verifyDrawRecord(record, sm3Node, published);
  if (verdict.match) {
    const selected = record.result.strata.reduce((n, s) => n + s.mustInclude.length + s.drawn.length, 0);
    const assignment = record.result.assignment;
    console.log('MATCH');
    console.log(
      `plan ${record.params.planId}: ${selected} target(s) selected from ${record.targetPool.length}; ` +
        (assignment.status === 'ASSIGNED'
          ? `${assignment.teams.length} team(s) assigned`
          : `assignment infeasible at ${assignment.targetId} (${assignment.constraint})`),
    );
    process.exit(0);
  }
  console.log(`MISMATCH: ${verdict.firstDifference}`);
  process.exit(1);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(
    `verify-draw failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(2);
});
