import { type AddressSpace, hex, type Log, type RamRegion } from '@vmapple/core-bus';
import type { PhysicalRange } from './pvg-bridge.js';

/** One piece of a task's address range backed by guest RAM. */
export interface TaskMapping {
  /** Offset in the task's range. */
  offset: number;
  length: number;
  guestAddress: number;
  ram: RamRegion;
  ramOffset: number;
  readOnly: boolean;
}

interface Task {
  base: number;
  size: number;
  mappings: TaskMapping[];
}

/** Bases handed out for task ranges: host-page aligned, never reused while live. */
const TASK_SPACE_BASE = 0x1_0000_0000;
const PAGE = 0x4000;
/** Bound on live tasks and mappings per task (the framework is trusted, but a loop must stay bounded). */
const MAX_TASKS = 4096;
const MAX_MAPPINGS = 65536;

/**
 * PVG "tasks" (spec §8.1): address ranges the framework asks for, in which
 * guest RAM is mapped (shared, not copied). This is the bookkeeping: which
 * guest RAM backs which part of which task. A native bridge turns a mapping
 * into `mach_vm_remap` of the RamRegion's buffer; tests read through
 * `resolve`.
 */
export class TaskTable {
  private readonly tasks = new Map<number, Task>();
  private nextId = 1;
  private nextBase = TASK_SPACE_BASE;

  constructor(
    private readonly memory: AddressSpace,
    private readonly log: Log,
    private readonly source: string,
  ) {}

  get size(): number {
    return this.tasks.size;
  }

  create(size: number): { task: number; baseAddress: number } | null {
    if (!Number.isSafeInteger(size) || size <= 0 || this.tasks.size >= MAX_TASKS) return null;
    const base = this.nextBase;
    this.nextBase += Math.ceil(size / PAGE) * PAGE + PAGE; // a guard page between tasks
    const task = this.nextId++;
    this.tasks.set(task, { base, size, mappings: [] });
    return { task, baseAddress: base };
  }

  destroy(task: number): void {
    this.tasks.delete(task);
  }

  /**
   * Maps each range in order at `virtualOffset` + the lengths of the ranges
   * before it. A range that is not wholly inside one guest RAM region (or
   * lies outside the task) is skipped and makes the result false; the others
   * are still mapped.
   */
  map(task: number, virtualOffset: number, readOnly: boolean, ranges: readonly PhysicalRange[]): boolean {
    const t = this.tasks.get(task);
    if (!t) return false;
    let ok = true;
    let at = virtualOffset;
    for (const r of ranges) {
      const len = r.physicalLength;
      const hit = this.memory.ramAt(r.physicalAddress);
      if (!hit || hit.limit < len || len <= 0 || at < 0 || at + len > t.size || t.mappings.length >= MAX_MAPPINGS) {
        this.log.guestError(this.source, `task ${task}: cannot map guest ${hex(r.physicalAddress)}+${hex(len)} (not guest RAM)`);
        ok = false;
      } else {
        this.cut(t, at, len);
        t.mappings.push({ offset: at, length: len, guestAddress: r.physicalAddress, ram: hit.ram, ramOffset: hit.offset, readOnly });
      }
      at += len;
    }
    t.mappings.sort((a, b) => a.offset - b.offset);
    return ok;
  }

  /** The sub-range becomes fresh zero pages (no guest RAM behind it). */
  unmap(task: number, virtualOffset: number, length: number): boolean {
    const t = this.tasks.get(task);
    if (t) this.cut(t, virtualOffset, length);
    return true;
  }

  mappings(task: number): readonly TaskMapping[] {
    return this.tasks.get(task)?.mappings ?? [];
  }

  /** Reads task bytes: guest RAM where mapped, zero elsewhere. Undefined for an unknown task or a range outside it. */
  resolve(task: number, offset: number, length: number): Uint8Array | undefined {
    const t = this.tasks.get(task);
    if (!t || offset < 0 || offset + length > t.size) return undefined;
    const out = new Uint8Array(length);
    for (const m of t.mappings) {
      const from = Math.max(offset, m.offset);
      const to = Math.min(offset + length, m.offset + m.length);
      if (from >= to) continue;
      const src = m.ramOffset + (from - m.offset);
      out.set(m.ram.bytes.subarray(src, src + (to - from)), from - offset);
    }
    return out;
  }

  clear(): void {
    this.tasks.clear();
  }

  /** Removes [at, at + len) from the task's mappings, trimming or splitting the ones it overlaps. */
  private cut(t: Task, at: number, len: number): void {
    const end = at + len;
    const kept: TaskMapping[] = [];
    for (const m of t.mappings) {
      const mEnd = m.offset + m.length;
      if (mEnd <= at || m.offset >= end) {
        kept.push(m);
        continue;
      }
      if (m.offset < at) kept.push({ ...m, length: at - m.offset });
      if (mEnd > end) {
        const skip = end - m.offset;
        kept.push({ ...m, offset: end, length: mEnd - end, guestAddress: m.guestAddress + skip, ramOffset: m.ramOffset + skip });
      }
    }
    t.mappings = kept;
  }
}
