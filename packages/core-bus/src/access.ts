/** Sizes in bytes of a bus access. */
export type AccessSize = 1 | 2 | 4 | 8;

/**
 * Access rules for one side of an MMIO region, in QEMU's terms:
 * `valid` says what the guest may do (anything else is an invalid access and
 * never reaches the device); `impl` says what the device's handler accepts
 * (the bus splits wider accesses and widens narrower ones to fit).
 */
export interface AccessRules {
  /** Smallest access size in bytes (1, 2, 4 or 8). */
  min?: AccessSize;
  /** Largest access size in bytes (1, 2, 4 or 8). */
  max?: AccessSize;
  /** Whether accesses not aligned to their own size are allowed. */
  unaligned?: boolean;
}

/** Result of a bus access, kept in `AddressSpace.status` after each access. */
export const BusStatus = {
  Ok: 0,
  /** Nothing is mapped at the address (and the policy is to fault). */
  Unmapped: 1,
  /** The region refuses this size or alignment (and the policy is to fault). */
  Invalid: 2,
} as const;
export type BusStatus = (typeof BusStatus)[keyof typeof BusStatus];

export function isAccessSize(size: number): size is AccessSize {
  return size === 1 || size === 2 || size === 4 || size === 8;
}

/** Bitmask with bit n set when size 2^n is within [min, max]. */
export function sizeMask(min: AccessSize, max: AccessSize): number {
  let mask = 0;
  for (let s = 1; s <= 8; s <<= 1) if (s >= min && s <= max) mask |= s;
  return mask;
}
