import { FdtError } from './errors.js';
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_RESERVE_ENTRY_SIZE,
  FdtHeader,
} from './format.js';

export interface FdtProperty {
  name: string;
  value: Uint8Array;
}

/** Deepest nesting the reader accepts; real trees are a handful of levels deep. */
export const FDT_READER_MAX_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** One node of a parsed tree, with typed accessors for its property values. */
export class FdtReadNode {
  readonly properties: FdtProperty[] = [];
  readonly children: FdtReadNode[] = [];

  constructor(
    /** Name with unit address ("" for the root). */
    readonly name: string,
  ) {}

  /** Raw bytes of property `name`, or undefined. */
  prop(name: string): Uint8Array | undefined {
    return this.properties.find((p) => p.name === name)?.value;
  }

  has(name: string): boolean {
    return this.properties.some((p) => p.name === name);
  }

  /** Property `name` as one big-endian u32 (undefined unless exactly 4 bytes). */
  u32(name: string): number | undefined {
    const v = this.prop(name);
    return v && v.length === 4 ? view(v).getUint32(0, false) : undefined;
  }

  /** Property `name` as one big-endian u64 (undefined unless exactly 8 bytes). */
  u64(name: string): bigint | undefined {
    const v = this.prop(name);
    return v && v.length === 8 ? view(v).getBigUint64(0, false) : undefined;
  }

  /** Property `name` as u32 cells (undefined unless a multiple of 4 bytes). */
  u32Array(name: string): number[] | undefined {
    const v = this.prop(name);
    if (!v || v.length % 4 !== 0) return undefined;
    const dv = view(v);
    return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4, false));
  }

  /** Property `name` as big-endian u64 values (undefined unless a multiple of 8 bytes). */
  u64Array(name: string): bigint[] | undefined {
    const v = this.prop(name);
    if (!v || v.length % 8 !== 0) return undefined;
    const dv = view(v);
    return Array.from({ length: v.length / 8 }, (_, i) => dv.getBigUint64(i * 8, false));
  }

  /** Property `name` as NUL-terminated strings (undefined unless it ends with NUL). */
  strings(name: string): string[] | undefined {
    const v = this.prop(name);
    if (!v || v.length === 0 || v[v.length - 1] !== 0) return undefined;
    return utf8.decode(v.subarray(0, v.length - 1)).split('\0');
  }

  /** Property `name` as one string (the first when it is a list). */
  string(name: string): string | undefined {
    return this.strings(name)?.[0];
  }

  child(name: string): FdtReadNode | undefined {
    return this.children.find((c) => c.name === name);
  }

  /** The node at a path relative to this one ("a/b@1"), or undefined. */
  find(path: string): FdtReadNode | undefined {
    const parts = path.split('/').filter((part) => part !== '');
    return parts.reduce<FdtReadNode | undefined>((node, part) => node?.child(part), this);
  }
}

/**
 * Parses a flattened device tree blob (version 16 or 17) into a tree. Every
 * offset and length is checked against the blob, so a malformed blob throws
 * FdtError and nothing else; the walk is bounded by the size of the
 * structure block.
 */
export class FdtReader {
  readonly version: number;
  readonly lastCompVersion: number;
  readonly bootCpuid: number;
  readonly memReserve: Array<{ address: bigint; size: bigint }> = [];
  readonly root: FdtReadNode;

  constructor(blob: Uint8Array) {
    if (blob.length < FDT_HEADER_SIZE) throw new FdtError(`blob of ${blob.length} bytes is shorter than the header`);
    const dv = view(blob);
    const field = (offset: number) => dv.getUint32(offset, false);
    if (field(FdtHeader.magic) !== FDT_MAGIC) throw new FdtError(`bad magic 0x${field(FdtHeader.magic).toString(16)}`);
    const total = field(FdtHeader.totalsize);
    if (total > blob.length || total < FDT_HEADER_SIZE) throw new FdtError(`totalsize ${total} does not fit the ${blob.length}-byte blob`);
    this.version = field(FdtHeader.version);
    this.lastCompVersion = field(FdtHeader.last_comp_version);
    if (this.lastCompVersion > 17 || this.version < 16) {
      throw new FdtError(`unsupported version ${this.version} (last compatible ${this.lastCompVersion})`);
    }
    this.bootCpuid = field(FdtHeader.boot_cpuid_phys);
    const offStruct = field(FdtHeader.off_dt_struct);
    const offStrings = field(FdtHeader.off_dt_strings);
    const offRsv = field(FdtHeader.off_mem_rsvmap);
    const sizeStrings = field(FdtHeader.size_dt_strings);
    const sizeStruct = this.version >= 17 ? field(FdtHeader.size_dt_struct) : total - offStruct;
    checkBlock('structure block', offStruct, sizeStruct, total);
    checkBlock('strings block', offStrings, sizeStrings, total);
    if (offStruct % 4 !== 0) throw new FdtError(`structure block offset ${offStruct} is not 4-byte aligned`);

    // Memory reservation map: pairs until an all-zero entry.
    for (let at = offRsv; ; at += FDT_RESERVE_ENTRY_SIZE) {
      if (at + FDT_RESERVE_ENTRY_SIZE > total) throw new FdtError('memory reservation map runs past the end of the blob');
      const address = dv.getBigUint64(at, false);
      const size = dv.getBigUint64(at + 8, false);
      if (address === 0n && size === 0n) break;
      this.memReserve.push({ address, size });
    }

    const strings = blob.subarray(offStrings, offStrings + sizeStrings);
    const nameAt = (off: number): string => {
      if (off >= strings.length) throw new FdtError(`property name offset ${off} is outside the strings block`);
      const end = strings.indexOf(0, off);
      if (end < 0) throw new FdtError(`property name at ${off} is not NUL-terminated`);
      return utf8.decode(strings.subarray(off, end));
    };

    const end = offStruct + sizeStruct;
    let at = offStruct;
    const word = (): number => {
      if (at + 4 > end) throw new FdtError('structure block ends in the middle of a token');
      const v = dv.getUint32(at, false);
      at += 4;
      return v;
    };
    const stack: FdtReadNode[] = [];
    let root: FdtReadNode | null = null;
    for (;;) {
      const tokenAt = at;
      const token = word();
      if (token === FDT_BEGIN_NODE) {
        const nul = blob.subarray(at, end).indexOf(0);
        if (nul < 0) throw new FdtError(`node name at ${at} is not NUL-terminated`);
        const node = new FdtReadNode(utf8.decode(blob.subarray(at, at + nul)));
        at = align4(at + nul + 1);
        if (root === null) {
          root = node;
        } else {
          const parent = stack[stack.length - 1];
          if (!parent) throw new FdtError(`second top-level node '${node.name}' at ${tokenAt}`);
          parent.children.push(node);
        }
        stack.push(node);
        if (stack.length > FDT_READER_MAX_DEPTH) throw new FdtError(`nodes nested deeper than ${FDT_READER_MAX_DEPTH}`);
      } else if (token === FDT_END_NODE) {
        if (!stack.pop()) throw new FdtError(`FDT_END_NODE at ${tokenAt} with no open node`);
      } else if (token === FDT_PROP) {
        const len = word();
        const nameOff = word();
        const node = stack[stack.length - 1];
        if (!node) throw new FdtError(`property at ${tokenAt} outside any node`);
        if (len > end - at) throw new FdtError(`property at ${tokenAt} of ${len} bytes runs past the structure block`);
        node.properties.push({ name: nameAt(nameOff), value: blob.slice(at, at + len) });
        at = align4(at + len);
      } else if (token === FDT_NOP) {
        continue;
      } else if (token === FDT_END) {
        break;
      } else {
        throw new FdtError(`unknown token 0x${token.toString(16)} at ${tokenAt}`);
      }
    }
    if (!root) throw new FdtError('the blob has no root node');
    if (stack.length > 0) throw new FdtError(`node '${stack[stack.length - 1]!.name}' is not closed before FDT_END`);
    this.root = root;
  }

  /** The node at an absolute path ("/", "/cpus/cpu@0"), or undefined. */
  find(path: string): FdtReadNode | undefined {
    return this.root.find(path);
  }

  /** Every node with its path, parents before children (document order). */
  *nodes(): Generator<{ path: string; node: FdtReadNode }> {
    const stack: Array<{ path: string; node: FdtReadNode }> = [{ path: '/', node: this.root }];
    while (stack.length > 0) {
      const item = stack.pop()!;
      yield item;
      for (let i = item.node.children.length - 1; i >= 0; i--) {
        const child = item.node.children[i]!;
        stack.push({ path: item.path === '/' ? `/${child.name}` : `${item.path}/${child.name}`, node: child });
      }
    }
  }

  /** The node whose `phandle` (or legacy `linux,phandle`) is `value`, or undefined. */
  byPhandle(value: number): FdtReadNode | undefined {
    for (const { node } of this.nodes()) {
      if ((node.u32('phandle') ?? node.u32('linux,phandle')) === value) return node;
    }
    return undefined;
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function align4(n: number): number {
  return n + ((4 - (n % 4)) % 4);
}

function checkBlock(what: string, offset: number, size: number, total: number): void {
  if (offset > total || size > total - offset) throw new FdtError(`${what} at ${offset} of ${size} bytes runs past totalsize ${total}`);
}
