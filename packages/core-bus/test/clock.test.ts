import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/index.js';

describe('VirtualClock', () => {
  it('fires timers in deadline order once time reaches them (deterministic)', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const a = clock.createTimer(() => fired.push(`a@${clock.now()}`));
    const b = clock.createTimer(() => fired.push(`b@${clock.now()}`));
    a.arm(300);
    b.arm(100);
    expect(clock.nextDeadline()).toBe(100);
    clock.advance(99);
    expect(clock.runDue()).toBe(0);
    clock.advance(1);
    clock.runDue();
    clock.advanceTo(clock.nextDeadline());
    clock.runDue();
    expect(fired).toEqual(['b@100', 'a@300']);
    expect(clock.nextDeadline()).toBe(Infinity);
  });

  it('re-arming moves a timer and cancel removes it', () => {
    const clock = new VirtualClock();
    let n = 0;
    const t = clock.createTimer(() => n++);
    t.armIn(50);
    t.armIn(500);
    expect(clock.nextDeadline()).toBe(500);
    t.cancel();
    expect(t.armed).toBe(false);
    clock.advance(1000);
    expect(clock.runDue()).toBe(0);
    expect(n).toBe(0);
  });

  it('a timer may re-arm itself from its callback', () => {
    const clock = new VirtualClock();
    let ticks = 0;
    const t = clock.createTimer(() => {
      ticks++;
      t.armIn(10);
    });
    t.armIn(10);
    for (let i = 0; i < 5; i++) {
      clock.advanceTo(clock.nextDeadline());
      clock.runDue();
    }
    expect(ticks).toBe(5);
    expect(clock.now()).toBe(50);
  });

  it('follows the host clock in realtime mode and can skip ahead when idle', () => {
    let hostMs = 1000;
    const clock = new VirtualClock({ mode: 'realtime', hostNowMs: () => hostMs });
    expect(clock.now()).toBe(0);
    hostMs += 2;
    expect(clock.now()).toBe(2_000_000);
    clock.advance(5_000_000); // no effect in realtime mode
    expect(clock.now()).toBe(2_000_000);
    clock.advanceTo(10_000_000);
    expect(clock.now()).toBe(10_000_000);
    hostMs += 1;
    expect(clock.now()).toBe(11_000_000);
  });
});
