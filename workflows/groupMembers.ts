/**
 * A write's member operations on one directory group, as a resumable state
 * machine: each step is one batch activity (a staged chunk of
 * up to 1,000 ids, or a page of 500 stored members), and the state between
 * steps is a few fields — so a run can stop after any step and another run
 * (continue-as-new) carry on. Deterministic: the world is reached only
 * through `acts`.
 */
import type { DirectoryGroupActivities } from '../activities/directoryGroups';
import type { RunScoped } from '../activities/support';
import type { StagedMemberOp } from '../src/scim/groupWrites';

export type GroupMemberActivities = Pick<DirectoryGroupActivities, 'addGroupMembers' | 'removeGroupMembers' | 'removeUnmarkedMembers'>;

/** Where a write's member operations stand: op `op`, its `phase`, the next staged `chunk`. */
export interface MemberWork {
  directoryId: string;
  tenantId: string;
  scimId: string;
  writeId: string;
  groupName: string;
  ops: StagedMemberOp[];
  op: number;
  phase: 'staged' | 'unmarked';
  chunk: number;
}

export const memberWork = (scope: Omit<MemberWork, 'op' | 'phase' | 'chunk'>): MemberWork => ({ ...scope, op: 0, phase: 'staged', chunk: 0 });

/** The mark a replace leaves on the members it names (the rest are then removed). */
const markOf = (w: MemberWork) => `${w.writeId}:${w.op}`;

/**
 * Run at most `budget` steps; the state left (null: all done). An add or a
 * remove reads its staged chunks; a replace first adds (marking) its chunks,
 * then removes, page by page, every member it did not mark.
 */
export async function runMemberWork(work: MemberWork, budget: number, scope: RunScoped, acts: GroupMemberActivities): Promise<MemberWork | null> {
  let w = work;
  for (let steps = 0; steps < budget; steps++) {
    const op = w.ops[w.op];
    if (!op) return null;
    const base = { ...scope, directoryId: w.directoryId, tenantId: w.tenantId, scimId: w.scimId, writeId: w.writeId, groupName: w.groupName };
    if (w.phase === 'staged' && w.chunk < op.chunks) {
      if (op.op === 'remove') await acts.removeGroupMembers({ ...base, op: w.op, chunk: w.chunk });
      else await acts.addGroupMembers({ ...base, op: w.op, chunk: w.chunk, mark: markOf(w) });
      w = { ...w, chunk: w.chunk + 1 };
      continue;
    }
    if (op.op === 'replace') {
      const { done } = await acts.removeUnmarkedMembers({ ...base, op: w.op, mark: markOf(w) });
      w = done ? { ...w, op: w.op + 1, phase: 'staged', chunk: 0 } : { ...w, phase: 'unmarked' };
      continue;
    }
    w = { ...w, op: w.op + 1, phase: 'staged', chunk: 0 };
  }
  return w.ops[w.op] ? w : null;
}
