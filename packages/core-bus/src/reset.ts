/**
 * Reset protocol, in three phases like QEMU's resettable interface:
 * every member runs `resetEnter` (forget state, touch nobody else), then
 * every member runs `reset` (the hold phase: reach power-on state; may drive
 * its own outputs), then every member runs `resetExit` (may act on others).
 * So no device ever sees another device half reset. Power-on is a reset:
 * a device's constructor ends in the same state `reset()` produces.
 */
export interface Resettable {
  /** Hold phase: bring the device to its power-on state. */
  reset(): void;
  /** Enter phase (optional): quiesce without side effects on other devices. */
  resetEnter?(): void;
  /** Exit phase (optional): resume activity that may affect other devices. */
  resetExit?(): void;
}

/** A set of resettable things reset together, in the order they were added. */
export class ResetDomain implements Resettable {
  private readonly members: Resettable[] = [];

  add<T extends Resettable>(member: T): T {
    this.members.push(member);
    return member;
  }

  resetEnter(): void {
    for (const m of this.members) m.resetEnter?.();
  }

  reset(): void {
    this.resetEnter();
    for (const m of this.members) m.reset();
    this.resetExit();
  }

  resetExit(): void {
    for (const m of this.members) m.resetExit?.();
  }
}
