/**
 * The flattened device tree blob layout (Devicetree Specification v0.4,
 * chapter 5): header fields, structure block tokens and the name rules of
 * §2.2.1 (nodes) and §2.2.4 (properties).
 */
export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
/** Size of the version 17 header in bytes. */
export const FDT_HEADER_SIZE = 40;
/** One memory reservation entry: address and size, 64 bits each. */
export const FDT_RESERVE_ENTRY_SIZE = 16;

export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Header field offsets (each a big-endian u32). */
export const FdtHeader = {
  magic: 0,
  totalsize: 4,
  off_dt_struct: 8,
  off_dt_strings: 12,
  off_mem_rsvmap: 16,
  version: 20,
  last_comp_version: 24,
  boot_cpuid_phys: 28,
  size_dt_strings: 32,
  size_dt_struct: 36,
} as const;

/** Longest node name (without unit address) and property name the specification allows. */
export const FDT_MAX_NAME_LENGTH = 31;

const NODE_NAME_CHARS = /^[0-9A-Za-z,._+-]+$/;
const PROPERTY_NAME_CHARS = /^[0-9A-Za-z,._+?#-]+$/;

/** Why `name` is not a valid node name, or null when it is (the root's name is ""). */
export function nodeNameProblem(name: string): string | null {
  const at = name.indexOf('@');
  const base = at < 0 ? name : name.slice(0, at);
  const unit = at < 0 ? null : name.slice(at + 1);
  if (base.length === 0) return 'the name before the unit address is empty';
  if (base.length > FDT_MAX_NAME_LENGTH) return `the name is longer than ${FDT_MAX_NAME_LENGTH} characters`;
  if (!NODE_NAME_CHARS.test(base)) return 'the name may contain only letters, digits and , . _ + -';
  if (unit !== null) {
    if (unit.length === 0) return 'the unit address after @ is empty';
    if (!NODE_NAME_CHARS.test(unit)) return 'the unit address may contain only letters, digits and , . _ + -';
  }
  return null;
}

/** Why `name` is not a valid property name, or null when it is. */
export function propertyNameProblem(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  if (name.length > FDT_MAX_NAME_LENGTH) return `the name is longer than ${FDT_MAX_NAME_LENGTH} characters`;
  if (!PROPERTY_NAME_CHARS.test(name)) return 'the name may contain only letters, digits and , . _ + ? # -';
  return null;
}
