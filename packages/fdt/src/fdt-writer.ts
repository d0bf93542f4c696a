import { ByteBuffer } from './byte-buffer.js';
import { FdtError } from './errors.js';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_RESERVE_ENTRY_SIZE,
  FDT_VERSION,
  nodeNameProblem,
  propertyNameProblem,
} from './format.js';

/** A memory reservation entry (/memreserve/): physical address and size in bytes. */
export interface FdtReserveEntry {
  address: bigint | number;
  size: bigint | number;
}

export interface FdtWriterOptions {
  /** Memory reservation entries, written in this order; they must not overlap. */
  memReserve?: readonly FdtReserveEntry[];
  /** The header's boot_cpuid_phys (the boot CPU's `reg` value). Default 0. */
  bootCpuid?: number;
}

/** An open node, returned by `beginNode` and handed back to `endNode`. */
export class FdtNode {
  /** @internal */
  constructor(
    readonly name: string,
    /** @internal */ readonly depth: number,
  ) {}
}

interface OpenNode {
  token: FdtNode;
  /** Full path, for error messages. */
  path: string;
  properties: Set<string>;
  children: Set<string>;
  hasChild: boolean;
}

const U32_MAX = 0xffff_ffff;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const utf8 = new TextEncoder();

/**
 * Builds a flattened device tree blob (version 17) node by node, in the
 * style of rust-vmm's vm-fdt: properties of a node come before its
 * children, every `beginNode` is matched by an `endNode`, and `finish`
 * returns the blob. Mistakes (bad names, duplicate properties, unbalanced
 * nodes) throw `FdtError` at the call that makes them.
 */
export class FdtWriter {
  private readonly struct = new ByteBuffer();
  private readonly strings = new ByteBuffer();
  private readonly stringOffsets = new Map<string, number>();
  private readonly reserve: Array<{ address: bigint; size: bigint }> = [];
  private readonly phandles = new Set<number>();
  private readonly stack: OpenNode[] = [];
  private bootCpuid = 0;
  private rootDone = false;
  private finished = false;

  constructor(options: FdtWriterOptions = {}) {
    for (const entry of options.memReserve ?? []) this.addMemReserve(entry.address, entry.size);
    if (options.bootCpuid !== undefined) this.setBootCpuid(options.bootCpuid);
  }

  /** Adds a memory reservation entry (a /memreserve/ line). */
  addMemReserve(address: bigint | number, size: bigint | number): void {
    this.checkOpen();
    const a = toU64(address, 'memory reservation address');
    const s = toU64(size, 'memory reservation size');
    // A zero-size entry would read as the end of the list.
    if (s === 0n) throw new FdtError(`memory reservation at 0x${a.toString(16)} has size 0`);
    if (a + s - 1n > U64_MAX) throw new FdtError(`memory reservation at 0x${a.toString(16)} of 0x${s.toString(16)} bytes wraps past 2^64`);
    for (const r of this.reserve) {
      if (a < r.address + r.size && r.address < a + s) {
        throw new FdtError(
          `memory reservation 0x${a.toString(16)}+0x${s.toString(16)} overlaps 0x${r.address.toString(16)}+0x${r.size.toString(16)}`,
        );
      }
    }
    this.reserve.push({ address: a, size: s });
  }

  /** Sets the header's boot_cpuid_phys. */
  setBootCpuid(id: number): void {
    this.checkOpen();
    this.bootCpuid = toU32(id, 'boot_cpuid');
  }

  /** Opens a node; the first one is the root and must be named "". */
  beginNode(name: string): FdtNode {
    this.checkOpen();
    const parent = this.stack[this.stack.length - 1];
    let path: string;
    if (!parent) {
      if (this.rootDone) throw new FdtError(`node '${name}' is outside the root node (the root is already closed)`);
      if (name !== '') throw new FdtError(`the first node must be the root, named "", got '${name}'`);
      path = '/';
    } else {
      const problem = nodeNameProblem(name);
      if (problem) throw new FdtError(`invalid node name '${name}' in ${parent.path}: ${problem}`);
      if (parent.children.has(name)) throw new FdtError(`duplicate node name '${name}' in ${parent.path}`);
      parent.children.add(name);
      parent.hasChild = true;
      path = parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
    }
    this.struct.u32(FDT_BEGIN_NODE);
    this.struct.append(utf8.encode(name));
    this.struct.append(new Uint8Array(1));
    this.struct.pad(4);
    const token = new FdtNode(name, this.stack.length);
    this.stack.push({ token, path, properties: new Set(), children: new Set(), hasChild: false });
    return token;
  }

  /** Closes `node`, which must be the innermost open node. */
  endNode(node: FdtNode): void {
    this.checkOpen();
    const top = this.stack[this.stack.length - 1];
    if (!top) throw new FdtError(`endNode('${node.name}') with no open node`);
    if (top.token !== node) {
      throw new FdtError(`endNode('${node.name}') out of order: the innermost open node is ${top.path}`);
    }
    this.struct.u32(FDT_END_NODE);
    this.stack.pop();
    if (this.stack.length === 0) this.rootDone = true;
  }

  /** A property with raw bytes, a string, or a string list. */
  property(name: string, value: Uint8Array | string | readonly string[]): void {
    if (typeof value === 'string') this.propertyString(name, value);
    else if (value instanceof Uint8Array) this.addProperty(name, value);
    else this.propertyStringList(name, value);
  }

  /** An empty property (a flag such as `dma-coherent`). */
  propertyNull(name: string): void {
    this.addProperty(name, new Uint8Array(0));
  }

  propertyU32(name: string, value: number): void {
    this.propertyArrayU32(name, [value]);
  }

  propertyU64(name: string, value: bigint | number): void {
    this.propertyArrayU64(name, [value]);
  }

  propertyArrayU32(name: string, values: readonly number[]): void {
    const bytes = new Uint8Array(values.length * 4);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setUint32(i * 4, toU32(v, `property '${name}' cell ${i}`), false));
    this.addProperty(name, bytes);
  }

  propertyArrayU64(name: string, values: ReadonlyArray<bigint | number>): void {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigUint64(i * 8, toU64(v, `property '${name}' value ${i}`), false));
    this.addProperty(name, bytes);
  }

  propertyString(name: string, value: string): void {
    this.propertyStringList(name, [value]);
  }

  propertyStringList(name: string, values: readonly string[]): void {
    const parts = values.map((s) => encodeString(s, name));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length + 1;
    }
    this.addProperty(name, bytes);
  }

  /** The node's `phandle` property; phandles are unique in a tree, from 1 to 0xfffffffe. */
  propertyPhandle(value: number): void {
    const v = toU32(value, 'phandle');
    if (v === 0 || v === U32_MAX) throw new FdtError(`phandle must be from 1 to 0xfffffffe, got ${value}`);
    if (this.phandles.has(v)) throw new FdtError(`duplicate phandle ${v}`);
    this.propertyU32('phandle', v);
    this.phandles.add(v);
  }

  /** Checks the tree is complete and returns the blob. The writer cannot be used afterwards. */
  finish(): Uint8Array {
    this.checkOpen();
    const open = this.stack[this.stack.length - 1];
    if (open) throw new FdtError(`node ${open.path} is still open (missing endNode)`);
    if (!this.rootDone) throw new FdtError('the tree has no root node');
    this.struct.u32(FDT_END);
    this.finished = true;

    const reserve = this.reserve;
    const offRsvmap = FDT_HEADER_SIZE;
    const offStruct = offRsvmap + (reserve.length + 1) * FDT_RESERVE_ENTRY_SIZE;
    const structBytes = this.struct.contents();
    const stringBytes = this.strings.contents();
    const offStrings = offStruct + structBytes.length;
    const total = offStrings + stringBytes.length;

    const out = new ByteBuffer();
    for (const v of [
      FDT_MAGIC,
      total,
      offStruct,
      offStrings,
      offRsvmap,
      FDT_VERSION,
      FDT_LAST_COMP_VERSION,
      this.bootCpuid,
      stringBytes.length,
      structBytes.length,
    ]) {
      out.u32(v);
    }
    for (const r of reserve) {
      out.u64(r.address);
      out.u64(r.size);
    }
    out.u64(0n);
    out.u64(0n);
    out.append(structBytes);
    out.append(stringBytes);
    return out.contents().slice();
  }

  private addProperty(name: string, value: Uint8Array): void {
    this.checkOpen();
    const node = this.stack[this.stack.length - 1];
    if (!node) throw new FdtError(`property '${name}' outside any node`);
    const problem = propertyNameProblem(name);
    if (problem) throw new FdtError(`invalid property name '${name}' in ${node.path}: ${problem}`);
    if (node.hasChild) throw new FdtError(`property '${name}' in ${node.path} comes after a child node`);
    if (node.properties.has(name)) throw new FdtError(`duplicate property '${name}' in ${node.path}`);
    node.properties.add(name);
    this.struct.u32(FDT_PROP);
    this.struct.u32(value.length);
    this.struct.u32(this.stringOffset(name));
    this.struct.append(value);
    this.struct.pad(4);
  }

  /** Offset of `name` in the strings block; each name is stored once. */
  private stringOffset(name: string): number {
    let off = this.stringOffsets.get(name);
    if (off === undefined) {
      off = this.strings.length;
      this.strings.append(utf8.encode(name));
      this.strings.append(new Uint8Array(1));
      this.stringOffsets.set(name, off);
    }
    return off;
  }

  private checkOpen(): void {
    if (this.finished) throw new FdtError('the writer is finished; start a new FdtWriter');
  }
}

function toU32(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw new FdtError(`${what} must be an integer from 0 to 0xffffffff, got ${String(value)}`);
  }
  return value;
}

function toU64(value: bigint | number, what: string): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new FdtError(`${what} must be a non-negative safe integer or a bigint, got ${value}`);
    }
    return BigInt(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new FdtError(`${what} must fit in 64 unsigned bits, got ${String(value)}`);
  }
  return value;
}

function encodeString(s: string, property: string): Uint8Array {
  if (typeof s !== 'string') throw new FdtError(`property '${property}': string values must be strings, got ${String(s)}`);
  if (s.includes('\0')) throw new FdtError(`property '${property}': string ${JSON.stringify(s)} contains a NUL character`);
  return utf8.encode(s);
}
