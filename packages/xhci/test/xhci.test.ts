import { ConfigError, VirtualClock } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { UsbKeyboard, UsbTablet, XhciController } from '../src/index.js';
import { CC, CH, decodeEvent, IOC, ProducerRing, T, XhciDriver } from './driver.js';
import { configured, setup } from './helpers.js';

// PORTSC bits (xHCI 1.2 §5.4.8).
const CCS = 1 << 0;
const PED = 1 << 1;
const PR = 1 << 4;
const PP = 1 << 9;
const CSC = 1 << 17;
const PEC = 1 << 18;
const PRC = 1 << 21;
const speedOf = (portsc: number) => (portsc >>> 10) & 0xf;
const plsOf = (portsc: number) => (portsc >>> 5) & 0xf;

describe('PCI function', () => {
  it('identifies as qemu-xhci with one 64-bit BAR, INTA and no MSI/MSI-X', () => {
    const { xhci } = setup();
    expect(xhci.configRead(0, 2)).toBe(0x1b36);
    expect(xhci.configRead(2, 2)).toBe(0x000d);
    expect(xhci.configRead(9, 1) | (xhci.configRead(10, 2) << 8)).toBe(0x0c0330);
    expect(xhci.configRead(0x3d, 1)).toBe(1); // INTA
    expect(xhci.configRead(0x10, 4) & 0x6).toBe(0x4); // 64-bit memory BAR
    xhci.configWrite(0x10, 4, 0xffffffff);
    expect((xhci.configRead(0x10, 4) & ~0xf) >>> 0).toBe(0xffffc000); // 16 KiB
    // Walk the capability list: no MSI (0x05) or MSI-X (0x11).
    const ids: number[] = [];
    if (xhci.configRead(6, 2) & 0x10) {
      for (let p = xhci.configRead(0x34, 1), n = 0; p && n < 48; p = xhci.configRead(p + 1, 1), n++) ids.push(xhci.configRead(p, 1));
    }
    expect(ids).not.toContain(0x05);
    expect(ids).not.toContain(0x11);
    expect(xhci.configRead(0x60, 1)).toBe(0x30); // SBRN: USB 3.0
  });

  it('rejects bad options with ConfigError', () => {
    expect(() => new XhciController({ usb2Ports: 16 })).toThrow(ConfigError);
    expect(() => new XhciController({ interrupters: 0 })).toThrow(ConfigError);
    expect(() => new XhciController({ slots: 65 })).toThrow(ConfigError);
    expect(() => new XhciController({ usb2Ports: 0, usb3Ports: 0 })).toThrow(ConfigError);
    const x = new XhciController();
    x.attach(5, new UsbKeyboard());
    expect(() => x.attach(5, new UsbTablet())).toThrow(ConfigError);
    expect(() => x.attach(1, new UsbTablet())).toThrow(/USB 3 port/);
    expect(() => x.attach(9, new UsbTablet())).toThrow(ConfigError);
  });
});

describe('capability registers', () => {
  it('match the xHCI 1.2 layout with QEMU defaults', () => {
    const { drv } = setup();
    const r0 = drv.r32(0);
    expect(r0 & 0xff).toBe(0x40); // CAPLENGTH
    expect(r0 >>> 16).toBe(0x0100); // HCIVERSION
    expect(drv.pciMem.read(drv.bar + 2, 2)).toBe(0x0100); // 16-bit read of HCIVERSION
    const hcs1 = drv.r32(4);
    expect(hcs1 & 0xff).toBe(64); // MaxSlots
    expect((hcs1 >>> 8) & 0x7ff).toBe(16); // MaxIntrs
    expect(hcs1 >>> 24).toBe(8); // MaxPorts
    const hcc1 = drv.r32(0x10);
    expect(hcc1 & 1).toBe(1); // AC64
    expect(hcc1 & 4).toBe(0); // CSZ: 32-byte contexts
    expect(drv.r32(0x08) >>> 27).toBe(0); // no scratchpad buffers
    expect(drv.r32(0x14) % 4).toBe(0);
    expect(drv.r32(0x18) % 32).toBe(0);
  });

  it('lists Supported Protocol capabilities for USB 3 ports 1-4 and USB 2 ports 5-8 (QEMU order)', () => {
    const { drv } = setup();
    const protos: Array<{ major: number; minor: number; name: number; first: number; count: number }> = [];
    let at = (drv.r32(0x10) >>> 16) * 4;
    for (let n = 0; at && n < 32; n++) {
      const d0 = drv.r32(at);
      if ((d0 & 0xff) === 2) {
        protos.push({ major: d0 >>> 24, minor: (d0 >>> 16) & 0xff, name: drv.r32(at + 4), first: drv.r32(at + 8) & 0xff, count: (drv.r32(at + 8) >>> 8) & 0xff });
      }
      const next = (d0 >>> 8) & 0xff;
      at = next ? at + 4 * next : 0;
    }
    expect(protos).toEqual([
      { major: 2, minor: 0, name: 0x20425355, first: 5, count: 4 },
      { major: 3, minor: 0, name: 0x20425355, first: 1, count: 4 },
    ]);
  });

  it('are read-only', () => {
    const { drv } = setup();
    const before = [0, 4, 8, 0xc, 0x10, 0x14, 0x18].map((o) => drv.r32(o));
    for (const o of [0, 4, 8, 0xc, 0x10, 0x14, 0x18]) drv.w32(o, 0xdeadbeef);
    expect([0, 4, 8, 0xc, 0x10, 0x14, 0x18].map((o) => drv.r32(o))).toEqual(before);
  });
});

describe('operational registers', () => {
  it('reset, run and halt as Linux expects', () => {
    const { drv } = setup();
    drv.init({ run: false });
    expect(drv.op(0x04) & 1).toBe(1); // HCH
    expect(drv.op(0x04) & (1 << 11)).toBe(0); // CNR
    expect(drv.op(0x08)).toBe(1); // PAGESIZE 4K
    expect(drv.op(0x38)).toBe(64);
    expect(drv.op(0x30)).toBe(drv.dcbaa);
    expect(drv.op(0x18) & ~8).toBe(0); // CRCR pointer reads 0
    drv.wop(0x00, 5);
    expect(drv.op(0x04) & 1).toBe(0);
    expect(drv.op(0x00) & 5).toBe(5);
    drv.wop(0x00, 2); // HCRST
    expect(drv.op(0x00)).toBe(0);
    expect(drv.op(0x04) & 1).toBe(1);
    expect(drv.op(0x30)).toBe(0);
    expect(drv.op(0x38)).toBe(0);
  });

  it('ignores sub-dword writes to operational registers and logs them', () => {
    const { drv, errors } = setup();
    drv.init({ run: false });
    drv.pciMem.write(drv.bar + 0x40, 1, 1);
    expect(drv.op(0) & 1).toBe(0);
    expect(errors.length).toBe(1);
  });

  it('MFINDEX counts microframes of the clock while running', () => {
    const clock = new VirtualClock({ mode: 'deterministic' });
    const { drv } = setup({ clock });
    drv.init();
    const a = drv.r32(drv.rtsOff);
    clock.advance(1_000_000);
    const b = drv.r32(drv.rtsOff);
    expect((b - a) & 0x3fff).toBe(8); // 1 ms = 8 microframes of 125 us
    drv.wop(0, 0);
    expect(drv.r32(drv.rtsOff)).toBe(0);
  });
});

describe('ports', () => {
  it('show connected devices after reset with CSC, and the port reset enables them at high speed', () => {
    const { drv } = setup();
    drv.init();
    for (const p of [5, 6]) {
      const sc = drv.portsc(p);
      expect(sc & (CCS | PP | CSC)).toBe(CCS | PP | CSC);
      expect(sc & PED).toBe(0);
    }
    expect(drv.portsc(7) & (CCS | PED)).toBe(0);
    expect(drv.portsc(7) & PP).toBe(PP);
    expect(plsOf(drv.portsc(7))).toBe(5); // empty ports: RxDetect
    expect(plsOf(drv.portsc(1))).toBe(5);
    drv.writePortsc(5, PP | PR);
    const sc = drv.portsc(5);
    expect(sc & (PED | PRC | PR)).toBe(PED | PRC);
    expect(speedOf(sc)).toBe(3); // high speed
    expect(plsOf(sc)).toBe(0); // U0
    const ev = drv.events();
    expect(ev.some((e) => e.type === T.PORT_STATUS_CHANGE && e.d0 >>> 24 === 5 && e.cc === CC.SUCCESS)).toBe(true);
  });

  it('change bits are write-1-to-clear and writing 0 keeps them', () => {
    const { drv } = setup();
    drv.init();
    drv.writePortsc(5, PP | PR);
    expect(drv.portsc(5) & (CSC | PRC)).toBe(CSC | PRC);
    drv.writePortsc(5, PP); // zeros: nothing cleared
    expect(drv.portsc(5) & (CSC | PRC)).toBe(CSC | PRC);
    drv.writePortsc(5, PP | CSC);
    expect(drv.portsc(5) & (CSC | PRC)).toBe(PRC);
    drv.writePortsc(5, PP | PRC);
    expect(drv.portsc(5) & (CSC | PRC | PEC)).toBe(0);
    expect(drv.portsc(5) & PED).toBe(PED);
    drv.writePortsc(5, PP | PED); // PED is write-1-to-disable
    expect(drv.portsc(5) & PED).toBe(0);
    expect(drv.portsc(5) & CCS).toBe(CCS);
    // Reset of an empty port changes nothing (as qemu-xhci).
    drv.writePortsc(7, PP | CSC);
    drv.writePortsc(7, PP | PR);
    expect(drv.portsc(7) & (PED | PRC | PR)).toBe(0);
  });

  it('detach clears CCS and reports a connect status change', () => {
    const { drv, xhci } = setup();
    drv.init();
    drv.writePortsc(6, PP | CSC);
    drv.events();
    xhci.detach(6);
    expect(drv.portsc(6) & (CCS | CSC)).toBe(CSC);
    expect(drv.events().some((e) => e.type === T.PORT_STATUS_CHANGE && e.d0 >>> 24 === 6)).toBe(true);
  });

  it('suspends and resumes the link through PLS with LWS', () => {
    const { drv } = setup();
    drv.init();
    drv.writePortsc(5, PP | PR);
    drv.writePortsc(5, PP | (1 << 16) | (3 << 5));
    expect(plsOf(drv.portsc(5))).toBe(3);
    drv.writePortsc(5, PP | (1 << 16) | (15 << 5));
    expect(plsOf(drv.portsc(5))).toBe(15);
    drv.writePortsc(5, PP | (1 << 16));
    expect(plsOf(drv.portsc(5))).toBe(0);
    expect(drv.portsc(5) & (1 << 22)).toBe(1 << 22); // PLC
  });
});

describe('enumeration and HID transfers', () => {
  it('enumerates the keyboard like Linux and delivers boot reports', () => {
    const { drv, kbd, intx } = setup();
    drv.init();
    const slot = drv.enumerate(5);
    expect(slot).toBe(1);
    const sc = drv.slotCtx(slot);
    expect(sc[3]! >>> 27).toBe(2); // Addressed
    expect(sc[3]! & 0xff).toBe(slot); // USB device address
    expect(drv.epCtx(slot, 1)[0]! & 7).toBe(1); // EP0 running
    expect(kbd.usbAddress).toBe(slot);
    // Device descriptor (USB 2.0 Table 9-8).
    const dd = drv.getDescriptor(slot, 1, 0, 18);
    expect([dd[0], dd[1], dd[2]! | (dd[3]! << 8), dd[7], dd[8]! | (dd[9]! << 8), dd[17]]).toEqual([18, 1, 0x0200, 64, 0x0627, 1]);
    // Configuration: 9 + interface 9 + HID 9 + endpoint 7 bytes.
    const head = drv.getDescriptor(slot, 2, 0, 9);
    const total = head[2]! | (head[3]! << 8);
    expect(total).toBe(34);
    const cfg = drv.getDescriptor(slot, 2, 0, total);
    expect(Array.from(cfg.subarray(9, 18))).toEqual([9, 4, 0, 0, 1, 3, 1, 1, 0]); // HID boot keyboard interface
    expect(Array.from(cfg.subarray(18, 24))).toEqual([9, 0x21, 0x11, 0x01, 0, 1]); // HID 1.11, one descriptor
    expect(cfg[24]).toBe(0x22);
    expect(cfg.subarray(27, 34)[2]).toBe(0x81);
    expect(cfg.subarray(27, 34)[3]).toBe(3); // interrupt
    // A longer request than the descriptor: short packet on the data stage, success on status.
    const r = drv.control(slot, 0x80, 6, 0x0200, 0, 255);
    expect(r.events.map((e) => [e.type, e.cc, e.len])).toEqual([
      [T.TRANSFER_EVENT, CC.SHORT_PACKET, 255 - 34],
      [T.TRANSFER_EVENT, CC.SUCCESS, 0],
    ]);
    // Strings: language IDs and the product name.
    expect(Array.from(drv.getDescriptor(slot, 3, 0, 255))).toEqual([4, 3, 0x09, 0x04]);
    const prod = drv.getDescriptor(slot, 3, dd[15]!, 255, 0, 0x0409);
    expect(String.fromCharCode(...Array.from({ length: (prod[0]! - 2) / 2 }, (_, i) => prod[2 + 2 * i]!))).toBe('QEMU USB Keyboard');
    // HID report descriptor: HID 1.11 Appendix B.1, transcribed from the specification.
    const reportLen = cfg[25]! | (cfg[26]! << 8);
    const rd = drv.getDescriptor(slot, 0x22, 0, reportLen, 1, 0);
    expect(Array.from(rd)).toEqual(HID_B1_BOOT_KEYBOARD);
    // Configure the interrupt endpoint and the device.
    const ce = drv.configureInterruptIn(slot, 1, 8, 7);
    expect(ce.cc).toBe(CC.SUCCESS);
    expect(drv.slotCtx(slot)[3]! >>> 27).toBe(3); // Configured
    expect(drv.epCtx(slot, 3)[0]! & 7).toBe(1);
    expect(drv.control(slot, 0x00, 9, 1, 0, 0).events[0]!.cc).toBe(CC.SUCCESS);
    expect(drv.control(slot, 0x21, 0x0a, 0, 0, 0).events[0]!.cc).toBe(CC.SUCCESS); // SET_IDLE
    expect(drv.control(slot, 0x21, 0x0b, 0, 0, 0).events[0]!.cc).toBe(CC.SUCCESS); // SET_PROTOCOL boot
    expect(Array.from(drv.control(slot, 0xa1, 0x03, 0, 0, 1).data)).toEqual([0]); // GET_PROTOCOL
    expect(Array.from(drv.control(slot, 0x80, 0, 0, 0, 2).data)).toEqual([0, 0]); // GET_STATUS
    // LEDs through SET_REPORT (output report).
    drv.control(slot, 0x21, 0x09, 0x0200, 0, 1, new Uint8Array([0x02]));
    expect(kbd.ledState).toBe(2);
    // Interrupt IN: nothing yet, the TD waits.
    const a = drv.queueIn(slot, 3, 8);
    expect(drv.events()).toEqual([]);
    intx.rises = 0;
    kbd.press(0x04); // 'a'
    expect(intx.level).toBe(true);
    const ev = drv.events();
    expect(ev.map((e) => [e.type, e.cc, e.len, e.slot, e.ep, e.ptr])).toEqual([[T.TRANSFER_EVENT, CC.SUCCESS, 0, slot, 3, a.trb]]);
    expect(Array.from(drv.g.get(a.buf, 8))).toEqual([0, 0, 0x04, 0, 0, 0, 0, 0]);
    expect(intx.level).toBe(false);
    // Reports queued while no TD is there arrive with the next TDs.
    kbd.press(0xe1); // Left Shift
    kbd.press(0x05);
    kbd.release(0x04);
    const bufs = [drv.queueIn(slot, 3, 8), drv.queueIn(slot, 3, 8), drv.queueIn(slot, 3, 8)];
    expect(drv.events().length).toBe(3);
    expect(bufs.map((b) => Array.from(drv.g.get(b.buf, 8)))).toEqual([
      [0x02, 0, 0x04, 0, 0, 0, 0, 0],
      [0x02, 0, 0x04, 0x05, 0, 0, 0, 0],
      [0x02, 0, 0x05, 0, 0, 0, 0, 0],
    ]);
    // GET_REPORT returns the current state.
    expect(Array.from(drv.control(slot, 0xa1, 0x01, 0x0100, 0, 8).data)).toEqual([0x02, 0, 0x05, 0, 0, 0, 0, 0]);
  });

  it('types US-layout text with Shift where needed (HID Usage Tables page 7)', () => {
    const { drv, kbd } = setup();
    drv.init();
    const slot = configured(drv, 5);
    kbd.typeText('aZ1!~\n');
    const reports: number[][] = [];
    for (let i = 0; i < 40 && kbd.pendingReports > 0; i++) {
      const q = drv.queueIn(slot, 3, 8);
      drv.events();
      reports.push(Array.from(drv.g.get(q.buf, 3)));
    }
    // [modifiers, reserved, first key] of each report; Left Shift = modifier bit 1.
    expect(reports).toEqual([
      [0, 0, 0x04], [0, 0, 0],
      [2, 0, 0], [2, 0, 0x1d], [2, 0, 0], [0, 0, 0],
      [0, 0, 0x1e], [0, 0, 0],
      [2, 0, 0], [2, 0, 0x1e], [2, 0, 0], [0, 0, 0],
      [2, 0, 0], [2, 0, 0x35], [2, 0, 0], [0, 0, 0],
      [0, 0, 0x28], [0, 0, 0],
    ]);
  });

  it('reports ErrorRollOver with more than six keys', () => {
    const { drv, kbd } = setup();
    drv.init();
    const slot = configured(drv, 5);
    for (const k of [4, 5, 6, 7, 8, 9, 10]) kbd.press(k);
    const bufs = Array.from({ length: 7 }, () => drv.queueIn(slot, 3, 8));
    expect(Array.from(drv.g.get(bufs[5]!.buf, 8))).toEqual([0, 0, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(drv.g.get(bufs[6]!.buf, 8))).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('enumerates the tablet and delivers absolute pointer reports', () => {
    const { drv, tab } = setup();
    drv.init();
    const slot = drv.enumerate(6);
    const cfg = drv.getDescriptor(slot, 2, 0, 34);
    expect(Array.from(cfg.subarray(9, 18))).toEqual([9, 4, 0, 0, 1, 3, 0, 0, 0]); // HID, no boot protocol
    const rd = drv.getDescriptor(slot, 0x22, 0, cfg[25]! | (cfg[26]! << 8), 1, 0);
    const items = parseHidInputs(rd);
    // Three 1-bit buttons, padding, X and Y 16-bit absolute 0..0x7FFF, an 8-bit relative wheel.
    expect(items).toEqual([
      { page: 9, usages: [1, 2, 3], size: 1, count: 3, min: 0, max: 1, flags: 2 },
      { page: 9, usages: [], size: 5, count: 1, min: 0, max: 1, flags: 1 },
      { page: 1, usages: [0x30, 0x31], size: 16, count: 2, min: 0, max: 0x7fff, flags: 2 },
      { page: 1, usages: [0x38], size: 8, count: 1, min: -127, max: 127, flags: 6 },
    ]);
    drv.configureInterruptIn(slot, 1, 8, 4);
    drv.control(slot, 0x00, 9, 1, 0, 0);
    const a = drv.queueIn(slot, 3, 8);
    tab.move(0x1234, 0x4321);
    const ev = drv.events();
    expect(ev[0]!.cc).toBe(CC.SHORT_PACKET); // 6-byte report in an 8-byte TD
    expect(ev[0]!.len).toBe(2);
    expect(Array.from(drv.g.get(a.buf, 6))).toEqual([0, 0x34, 0x12, 0x21, 0x43, 0]);
    const b = drv.queueIn(slot, 3, 8);
    tab.button(0, true);
    expect(Array.from(drv.g.get(b.buf, 6))).toEqual([1, 0x34, 0x12, 0x21, 0x43, 0]);
    const c = drv.queueIn(slot, 3, 8);
    tab.move(99999, -5);
    expect(Array.from(drv.g.get(c.buf, 6))).toEqual([1, 0xff, 0x7f, 0, 0, 0]);
    const d = drv.queueIn(slot, 3, 8);
    tab.wheel(-1);
    expect(drv.g.get(d.buf, 6)[5]).toBe(0xff);
  });

  it('handles an interrupt TD split over chained TRBs with an Event Data TRB', () => {
    const { drv, kbd } = setup();
    drv.init();
    const slot = configured(drv, 5);
    const ring = drv.ring(slot, 3);
    const b1 = drv.g.alloc(4);
    const b2 = drv.g.alloc(4);
    ring.push(b1, 0, 4, (T.NORMAL << 10) | CH);
    ring.push(b2, 0, 4, (T.NORMAL << 10) | CH);
    ring.push(0x1234, 0x5678, 0, (T.EVENT_DATA << 10) | IOC);
    drv.doorbell(slot, 3);
    kbd.press(0x2c);
    const ev = drv.events();
    expect(ev.length).toBe(1);
    expect(ev[0]!.d3 & 4).toBe(4); // ED
    expect(ev[0]!.ptr).toBe(0x5678 * 2 ** 32 + 0x1234);
    expect(ev[0]!.len).toBe(8); // EDTLA
    expect([...drv.g.get(b1, 4), ...drv.g.get(b2, 4)]).toEqual([0, 0, 0x2c, 0, 0, 0, 0, 0]);
  });

  it('wraps transfer rings through Link TRBs with toggle cycle', () => {
    const { drv, kbd } = setup();
    drv.init();
    const slot = configured(drv, 5);
    // The ring has 16 TRBs (15 usable): 40 reports go round it more than twice.
    for (let i = 0; i < 40; i++) {
      const q = drv.queueIn(slot, 3, 8);
      kbd.press(4 + (i % 20));
      kbd.release(4 + (i % 20));
      const ev = drv.events();
      expect(ev.length).toBe(1);
      expect(ev[0]!.ptr).toBe(q.trb);
      expect(drv.g.get(q.buf, 8)[2]).toBe(4 + (i % 20));
      drv.queueIn(slot, 3, 8);
      expect(drv.events().length).toBe(1); // the release
    }
  });
});

describe('commands', () => {
  it('No Op, Enable/Disable Slot, slot exhaustion and bad slot IDs', () => {
    const { drv } = setup({ slots: 2 });
    drv.init();
    const nop = drv.command(0, 0, 0, T.NOOP_CMD << 10);
    expect(nop.cc).toBe(CC.SUCCESS);
    expect(nop.type).toBe(T.COMMAND_COMPLETION);
    expect(drv.enableSlot().slot).toBe(1);
    expect(drv.enableSlot().slot).toBe(2);
    const none = drv.enableSlot();
    expect([none.cc, none.slot]).toEqual([CC.NO_SLOTS, 0]);
    expect(drv.command(0, 0, 0, (T.DISABLE_SLOT << 10) | (1 << 24)).cc).toBe(CC.SUCCESS);
    expect(drv.command(0, 0, 0, (T.DISABLE_SLOT << 10) | (1 << 24)).cc).toBe(CC.SLOT_NOT_ENABLED);
    expect(drv.enableSlot().slot).toBe(1);
    expect(drv.command(0, 0, 0, (T.DISABLE_SLOT << 10) | (9 << 24)).cc).toBe(CC.TRB);
    expect(drv.command(0, 0, 0, T.FORCE_EVENT << 10).cc).toBe(CC.TRB); // not supported
  });

  it('Address Device checks slot state, flags, ports and connection', () => {
    const { drv } = setup();
    drv.init();
    drv.resetPort(5);
    const slot = drv.enableSlot().slot;
    expect(drv.addressDevice(slot, 9, false).cc).toBe(CC.TRB); // no such port
    expect(drv.addressDevice(slot, 7, false).cc).toBe(CC.TRANSACTION); // nothing attached
    expect(drv.addressDevice(slot, 6, false).cc).toBe(CC.TRANSACTION); // attached, not enabled
    expect(drv.addressDevice(slot, 5, false).cc).toBe(CC.SUCCESS);
    expect(drv.addressDevice(slot, 5, false).cc).toBe(CC.CONTEXT_STATE);
    expect(drv.addressDevice(slot, 5, true).cc).toBe(CC.CONTEXT_STATE);
    // Bad add flags.
    const s2 = drv.enableSlot().slot;
    const input = drv.g.alloc(33 * 32);
    drv.g.w32(input + 4, 1);
    expect(drv.command(input, 0, 0, (T.ADDRESS_DEVICE << 10) | (s2 << 24)).cc).toBe(CC.PARAMETER);
    expect(drv.command(input, 0, 0, (T.ADDRESS_DEVICE << 10) | (30 << 24)).cc).toBe(CC.SLOT_NOT_ENABLED);
  });

  it('Configure Endpoint: state checks, bad contexts, drop and deconfigure', () => {
    const { drv } = setup();
    drv.init();
    drv.resetPort(5);
    const slot = drv.enableSlot().slot;
    expect(drv.configureInterruptIn(slot, 1, 8, 7).cc).toBe(CC.CONTEXT_STATE); // not addressed
    drv.addressDevice(slot, 5, false);
    // An IN DCI with an OUT endpoint type.
    const input = drv.g.alloc(33 * 32);
    drv.g.w32(input + 4, 1 | (1 << 3));
    drv.g.w32(input + 32 * 4 + 4, (8 << 16) | (3 << 3));
    expect(drv.command(input, 0, 0, (T.CONFIGURE_ENDPOINT << 10) | (slot << 24)).cc).toBe(CC.PARAMETER);
    expect(drv.slotCtx(slot)[3]! >>> 27).toBe(2);
    expect(drv.configureInterruptIn(slot, 1, 8, 7).cc).toBe(CC.SUCCESS);
    expect(drv.slotCtx(slot)[3]! >>> 27).toBe(3);
    // Drop it again.
    drv.g.w32(input, 1 << 3);
    drv.g.w32(input + 4, 1);
    expect(drv.command(input, 0, 0, (T.CONFIGURE_ENDPOINT << 10) | (slot << 24)).cc).toBe(CC.SUCCESS);
    expect(drv.epCtx(slot, 3)[0]! & 7).toBe(0);
    expect(drv.slotCtx(slot)[3]! >>> 27).toBe(2);
    // Deconfigure (DC).
    drv.configureInterruptIn(slot, 1, 8, 7);
    expect(drv.command(0, 0, 0, (T.CONFIGURE_ENDPOINT << 10) | (1 << 9) | (slot << 24)).cc).toBe(CC.SUCCESS);
    expect(drv.slotCtx(slot)[3]! >>> 27).toBe(2);
    expect(drv.epCtx(slot, 3)[0]! & 7).toBe(0);
  });

  it('Evaluate Context updates EP0 max packet size and the slot fields', () => {
    const { drv } = setup();
    drv.init();
    drv.resetPort(5);
    const slot = drv.enableSlot().slot;
    drv.addressDevice(slot, 5, true, 3, 8);
    expect(drv.epCtx(slot, 1)[1]! >>> 16).toBe(8);
    const input = drv.g.alloc(33 * 32);
    drv.g.w32(input + 4, 3);
    drv.g.w32(input + 32 + 4, 100); // max exit latency
    drv.g.w32(input + 64 + 4, 64 << 16);
    expect(drv.command(input, 0, 0, (T.EVALUATE_CONTEXT << 10) | (slot << 24)).cc).toBe(CC.SUCCESS);
    expect(drv.epCtx(slot, 1)[1]! >>> 16).toBe(64);
    expect(drv.slotCtx(slot)[1]! & 0xffff).toBe(100);
    const s2 = drv.enableSlot().slot;
    expect(drv.command(input, 0, 0, (T.EVALUATE_CONTEXT << 10) | (s2 << 24)).cc).toBe(CC.CONTEXT_STATE);
  });

  it('a STALL halts EP0; Reset Endpoint and Set TR Dequeue recover it', () => {
    const { drv } = setup();
    drv.init();
    const slot = drv.enumerate(5);
    const r = drv.control(slot, 0x80, 6, 0x0900, 0, 8); // unknown descriptor type 9
    expect(r.events.map((e) => [e.cc, e.ep])).toEqual([[CC.STALL, 1]]);
    expect(drv.epCtx(slot, 1)[0]! & 7).toBe(2); // Halted
    // Doorbells do nothing while halted.
    expect(drv.control(slot, 0x80, 0, 0, 0, 2).events).toEqual([]);
    expect(drv.command(0, 0, 0, (T.SET_TR_DEQUEUE << 10) | (1 << 16) | (slot << 24)).cc).toBe(CC.CONTEXT_STATE);
    expect(drv.command(0, 0, 0, (T.RESET_ENDPOINT << 10) | (1 << 16) | (slot << 24)).cc).toBe(CC.SUCCESS);
    expect(drv.epCtx(slot, 1)[0]! & 7).toBe(3); // Stopped
    expect(drv.command(0, 0, 0, (T.RESET_ENDPOINT << 10) | (1 << 16) | (slot << 24)).cc).toBe(CC.CONTEXT_STATE);
    const ring = drv.ring(slot, 1);
    const deq = drv.command(ring.enqueue | ring.cycle, 0, 0, (T.SET_TR_DEQUEUE << 10) | (1 << 16) | (slot << 24));
    expect(deq.cc).toBe(CC.SUCCESS);
    expect(drv.epCtx(slot, 1)[2]).toBe((ring.enqueue | ring.cycle) >>> 0);
    expect(Array.from(drv.control(slot, 0x80, 0, 0, 0, 2).data)).toEqual([0, 0]);
    expect(drv.epCtx(slot, 1)[0]! & 7).toBe(1); // the doorbell restarted it
  });

  it('Stop Endpoint ends a waiting interrupt TD with a Stopped event', () => {
    const { drv, kbd } = setup();
    drv.init();
    const slot = configured(drv, 5);
    const q = drv.queueIn(slot, 3, 8);
    const ev = drv.command(0, 0, 0, (T.STOP_ENDPOINT << 10) | (3 << 16) | (slot << 24));
    expect(ev.cc).toBe(CC.SUCCESS);
    const all = drv.peekEvents();
    void all;
    const ctx = drv.epCtx(slot, 3);
    expect(ctx[0]! & 7).toBe(3);
    expect((ctx[2]! & ~0xf) >>> 0).toBe(q.trb); // dequeue at the stopped TD
    expect(drv.command(0, 0, 0, (T.STOP_ENDPOINT << 10) | (3 << 16) | (slot << 24)).cc).toBe(CC.CONTEXT_STATE);
    expect(drv.command(0, 0, 0, (T.STOP_ENDPOINT << 10) | (5 << 16) | (slot << 24)).cc).toBe(CC.EP_NOT_ENABLED);
    // A key press while stopped is not delivered.
    kbd.press(4);
    expect(drv.events()).toEqual([]);
    // Skip the cancelled TD and continue.
    const ring = drv.ring(slot, 3);
    drv.command(ring.enqueue | ring.cycle, 0, 0, (T.SET_TR_DEQUEUE << 10) | (3 << 16) | (slot << 24));
    const n = drv.queueIn(slot, 3, 8);
    expect(drv.events().map((e) => e.ptr)).toEqual([n.trb]);
    expect(drv.g.get(n.buf, 8)[2]).toBe(4);
  });

  it('Stop Endpoint posts the Stopped transfer event before the completion', () => {
    const { drv } = setup();
    drv.init();
    const slot = configured(drv, 5);
    const q = drv.queueIn(slot, 3, 8);
    drv.cmd.push(0, 0, 0, (T.STOP_ENDPOINT << 10) | (3 << 16) | (slot << 24));
    drv.doorbell(0, 0);
    const ev = drv.events();
    expect(ev.map((e) => [e.type, e.cc])).toEqual([
      [T.TRANSFER_EVENT, CC.STOPPED],
      [T.COMMAND_COMPLETION, CC.SUCCESS],
    ]);
    expect(ev[0]!.ptr).toBe(q.trb);
    expect(ev[0]!.len).toBe(8);
  });

  it('Reset Device returns the slot to Default and drops endpoints', () => {
    const { drv } = setup();
    drv.init();
    const slot = configured(drv, 5);
    expect(drv.command(0, 0, 0, (T.RESET_DEVICE << 10) | (slot << 24)).cc).toBe(CC.SUCCESS);
    expect(drv.slotCtx(slot)[3]! >>> 27).toBe(1);
    expect(drv.epCtx(slot, 3)[0]! & 7).toBe(0);
    expect(drv.command(0, 0, 0, (T.RESET_DEVICE << 10) | (slot << 24)).cc).toBe(CC.CONTEXT_STATE);
    // Address again from Default.
    expect(drv.addressDevice(slot, 5, false).cc).toBe(CC.SUCCESS);
  });

  it('walks the command ring through its Link TRB many times', () => {
    const { drv } = setup();
    drv.init({ cmdTrbs: 4 });
    for (let i = 0; i < 20; i++) expect(drv.command(0, 0, 0, T.NOOP_CMD << 10).cc).toBe(CC.SUCCESS);
  });

  it('stops the command ring on CRCR.CS with a Command Ring Stopped event', () => {
    const { drv } = setup();
    drv.init();
    drv.command(0, 0, 0, T.NOOP_CMD << 10);
    expect(drv.op(0x18) & 8).toBe(8); // CRR
    drv.wop(0x18, 2);
    expect(drv.op(0x18) & 8).toBe(0);
    const ev = drv.events();
    expect(ev.map((e) => [e.type, e.cc])).toEqual([[T.COMMAND_COMPLETION, CC.CMD_RING_STOPPED]]);
    expect(ev[0]!.ptr).toBe(drv.cmd.enqueue);
    // The high half of a 64-bit CRCR write after the abort keeps the dequeue pointer; the ring restarts there.
    drv.wop(0x1c, 0);
    expect(drv.command(0, 0, 0, T.NOOP_CMD << 10).cc).toBe(CC.SUCCESS);
  });
});

describe('event ring and interrupters', () => {
  it('wraps the event ring with the cycle bit', () => {
    const { drv } = setup();
    drv.init({ eventTrbs: 16 });
    for (let i = 0; i < 50; i++) expect(drv.command(0, 0, 0, T.NOOP_CMD << 10).cc).toBe(CC.SUCCESS);
  });

  it('fills a two-segment event ring segment by segment, toggling the cycle after the last', () => {
    const { drv, g } = setup();
    drv.init();
    drv.events();
    // Replace interrupter 0's ring with two 16-TRB segments.
    const s0 = g.alloc(256);
    const s1 = g.alloc(256);
    const erst = g.alloc(32);
    g.w32(erst, s0);
    g.w32(erst + 8, 16);
    g.w32(erst + 16, s1);
    g.w32(erst + 24, 16);
    drv.wir(0, 0x08, 2);
    drv.wir(0, 0x18, s0);
    drv.wir(0, 0x1c, 0);
    drv.wir(0, 0x10, erst);
    drv.wir(0, 0x14, 0);
    const slots: Array<[number, number]> = [];
    for (let i = 0; i < 40; i++) {
      const at = drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
      drv.doorbell(0, 0);
      // Find where the completion landed: the entry whose pointer is this command.
      const k = i % 32;
      const base = k < 16 ? s0 + 16 * k : s1 + 16 * (k - 16);
      expect(g.r32(base)).toBe(at);
      slots.push([base, g.r32(base + 12) & 1]);
      drv.wir(0, 0x18, ((k === 31 ? s0 : k < 15 ? s0 + 16 * (k + 1) : s1 + 16 * (k - 15)) | 8) >>> 0);
    }
    expect(slots[0]![1]).toBe(1);
    expect(slots[31]![1]).toBe(1);
    expect(slots[32]![1]).toBe(0); // second lap: cycle toggled
  });

  it('posts Event Ring Full Error in the last slot and holds events until ERDP moves', () => {
    const { drv } = setup();
    drv.init({ eventTrbs: 16 });
    drv.events(); // port changes
    const addrs: number[] = [];
    for (let i = 0; i < 20; i++) {
      addrs.push(drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10));
      drv.doorbell(0, 0);
    }
    const seen = drv.peekEvents();
    expect(seen.length).toBe(15); // a 16-entry ring holds 15 events
    expect(seen.slice(0, 14).map((e) => e.ptr)).toEqual(addrs.slice(0, 14));
    expect([seen[14]!.type, seen[14]!.cc]).toEqual([T.HOST_CONTROLLER_EVENT, CC.EVENT_RING_FULL]);
    drv.events(); // consume and move ERDP
    const rest = drv.events();
    expect(rest.map((e) => e.ptr)).toEqual(addrs.slice(14));
    expect(drv.command(0, 0, 0, T.NOOP_CMD << 10).cc).toBe(CC.SUCCESS);
  });

  it('routes every event to interrupter 0 (pin interrupts), whatever the interrupter target', () => {
    const { drv, kbd, intx } = setup();
    drv.init();
    const ring1 = drv.g.alloc(16 * 16);
    drv.setupInterrupter(1, ring1, 16);
    const slot = configured(drv, 5);
    const buf = drv.g.alloc(8);
    drv.ring(slot, 3).push(buf, 0, 8 | (1 << 22), (T.NORMAL << 10) | IOC); // interrupter target 1
    drv.doorbell(slot, 3);
    kbd.press(4);
    expect(intx.level).toBe(true);
    expect(drv.events().map((e) => e.ep)).toEqual([3]);
    expect(drv.g.r32(ring1 + 12)).toBe(0); // interrupter 1's ring untouched
    expect(drv.ir(1, 0) & 1).toBe(0);
  });

  it('drives INTx from IMAN.IP, IMAN.IE and USBCMD.INTE, with EHB blocking re-assertion', () => {
    const { drv, intx } = setup();
    drv.init();
    drv.events();
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.doorbell(0, 0);
    expect(intx.level).toBe(true);
    expect(drv.op(4) & 8).toBe(8); // EINT
    expect(drv.ir(0, 0x18) & 8).toBe(8); // EHB
    drv.wir(0, 0, 3); // clear IP
    expect(intx.level).toBe(false);
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.doorbell(0, 0);
    expect(intx.level).toBe(false); // EHB still set
    drv.events(); // consume: ERDP write clears EHB
    expect(intx.level).toBe(false);
    // IE off: events are written but no interrupt.
    drv.wir(0, 0, 0);
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.doorbell(0, 0);
    expect(intx.level).toBe(false);
    expect(drv.peekEvents().length).toBe(1);
    drv.events();
    // Unconsumed events re-assert after the ERDP write.
    drv.wir(0, 0, 2);
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.doorbell(0, 0);
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.wir(0, 0, 3);
    drv.doorbell(0, 0);
    expect(intx.level).toBe(false);
    const first = drv.peekEvents()[0]!;
    drv.wir(0, 0x18, (first.addr + 16) | 8); // consume only one
    expect(intx.level).toBe(true);
    // INTE off masks the pin.
    drv.wop(0, 1);
    expect(intx.level).toBe(false);
  });
});

describe('bad guest input', () => {
  it('a command ring outside RAM sets HCE and stops processing', () => {
    const { drv, errors } = setup();
    drv.init({ run: false });
    drv.wop(0x18, 0x10000 | 1);
    drv.wop(0, 1);
    drv.doorbell(0, 0);
    expect(drv.op(4) & (1 << 12)).toBe(1 << 12);
    expect(errors.some((e) => /host controller error/.test(e.message))).toBe(true);
    drv.wop(0, 2); // HCRST clears it
    expect(drv.op(4) & (1 << 12)).toBe(0);
  });

  it('events without an event ring are dropped and logged, not fatal', () => {
    const { drv, errors } = setup();
    drv.init();
    drv.wir(0, 0x08, 0); // ERSTSZ = 0
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.doorbell(0, 0);
    expect(drv.op(4) & (1 << 12)).toBe(0);
    expect(errors.some((e) => /no event ring/.test(e.message))).toBe(true);
  });

  it('a Link TRB loop on the command ring sets HCE instead of spinning', () => {
    const { drv } = setup();
    drv.init({ run: false });
    const loop = drv.g.alloc(16);
    drv.g.w32(loop, loop);
    drv.g.w32(loop + 12, (T.LINK << 10) | 1);
    drv.wop(0x18, loop | 1);
    drv.wop(0, 1);
    drv.doorbell(0, 0);
    expect(drv.op(4) & (1 << 12)).toBe(1 << 12);
  });

  it('an event ring outside RAM sets HCE', () => {
    const { drv } = setup();
    drv.init();
    drv.g.w32(drv.erst, 0x100);
    drv.wir(0, 0x10, drv.erst); // re-arm the segment table
    drv.cmd.push(0, 0, 0, T.NOOP_CMD << 10);
    drv.doorbell(0, 0);
    expect(drv.op(4) & (1 << 12)).toBe(1 << 12);
  });

  it('a transfer ring loop ends in a TRB Error event and a halted endpoint', () => {
    const { drv } = setup();
    drv.init();
    const slot = configured(drv, 5);
    const ring = drv.ring(slot, 3);
    const at = ring.enqueue;
    drv.g.w32(at, at);
    drv.g.w32(at + 12, (T.LINK << 10) | ring.cycle);
    drv.doorbell(slot, 3);
    const ev = drv.events();
    expect(ev.map((e) => [e.cc, e.ptr])).toEqual([[CC.TRB, at]]);
    expect(drv.epCtx(slot, 3)[0]! & 7).toBe(2);
  });

  it('an endless chain of TRBs is a TRB Error', () => {
    const { drv } = setup();
    drv.init();
    const slot = configured(drv, 5);
    const ring = drv.ring(slot, 3);
    const buf = drv.g.alloc(8);
    // Three chained TRBs and a chained Link TRB (no toggle) back to the first: the TD never ends.
    const first = ring.enqueue;
    for (let i = 0; i < 3; i++) ring.push(buf, 0, 8, (T.NORMAL << 10) | CH);
    const link = ring.enqueue;
    drv.g.w32(link, first);
    drv.g.w32(link + 12, (T.LINK << 10) | CH | ring.cycle);
    drv.doorbell(slot, 3);
    expect(drv.events().map((e) => e.cc)).toEqual([CC.TRB]);
  });

  it('data buffers outside RAM give Data Buffer Error; bad TRB types give TRB Error', () => {
    const { drv, kbd, errors } = setup();
    drv.init();
    const slot = configured(drv, 5);
    drv.ring(slot, 3).push(0x100, 0, 8, (T.NORMAL << 10) | IOC);
    drv.doorbell(slot, 3);
    kbd.press(4);
    expect(drv.events().map((e) => e.cc)).toEqual([CC.DATA_BUFFER]);
    expect(errors.length).toBeGreaterThan(0);
    // A command TRB type on EP0's transfer ring.
    drv.ring(slot, 1).push(0, 0, 0, (T.ENABLE_SLOT << 10) | IOC);
    drv.doorbell(slot, 1);
    expect(drv.events().map((e) => e.cc)).toEqual([CC.TRB]);
    expect(drv.epCtx(slot, 1)[0]! & 7).toBe(2);
  });

  it('doorbells for disabled slots, bad targets and before R/S are logged or ignored', () => {
    const { drv, errors } = setup();
    drv.init({ run: false });
    drv.doorbell(0, 0);
    expect(drv.peekEvents()).toEqual([]);
    drv.wop(0, 5);
    drv.events(); // port changes seen while halted
    drv.doorbell(5, 1);
    drv.doorbell(1, 0);
    drv.doorbell(1, 40);
    expect(errors.length).toBe(3);
    expect(drv.peekEvents()).toEqual([]);
  });

  it('transfers to a detached device fail with USB Transaction Error', () => {
    const { drv, xhci } = setup();
    drv.init();
    const slot = drv.enumerate(5);
    xhci.detach(5);
    drv.events();
    const r = drv.control(slot, 0x80, 0, 0, 0, 2);
    expect(r.events.map((e) => e.cc)).toEqual([CC.TRANSACTION]);
  });
});

describe('snapshots and reset', () => {
  it('restores a running controller with a configured keyboard', () => {
    const a = setup();
    a.drv.init();
    const slot = configured(a.drv, 5);
    const q = a.drv.queueIn(slot, 3, 8);
    a.kbd.press(0xe0);
    a.drv.events();
    const state = JSON.parse(JSON.stringify(a.xhci.saveState()));
    const ram = a.g.ram.bytes.slice();
    void q;
    // A fresh controller with the same devices and RAM contents.
    const b = setup();
    b.g.ram.bytes.set(ram);
    b.xhci.restoreState(state);
    const drv = b.drv;
    // Reuse the first driver's view of the rings.
    Object.assign(drv, { capLength: a.drv.capLength, dbOff: a.drv.dbOff, rtsOff: a.drv.rtsOff, eventRing: a.drv.eventRing, eventTrbs: a.drv.eventTrbs });
    (drv as unknown as { evIndex: number }).evIndex = (a.drv as unknown as { evIndex: number }).evIndex;
    (drv as unknown as { evCycle: number }).evCycle = (a.drv as unknown as { evCycle: number }).evCycle;
    drv.rings.set(`${slot}:3`, a.drv.ring(slot, 3));
    (a.drv.ring(slot, 3) as unknown as { g: unknown }).g = b.g;
    const q2 = drv.queueIn(slot, 3, 8);
    b.kbd.press(0x04);
    expect(drv.events().map((e) => [e.cc, e.ptr])).toEqual([[CC.SUCCESS, q2.trb]]);
    expect(Array.from(b.g.get(q2.buf, 8))).toEqual([1, 0, 4, 0, 0, 0, 0, 0]); // Left Control kept
    expect(() => b.xhci.restoreState({ type: 'other', version: 1, data: state.data })).toThrow();
  });

  it('reset() returns to power-on state', () => {
    const { drv, xhci, kbd } = setup();
    drv.init();
    configured(drv, 5);
    kbd.press(4);
    xhci.reset();
    expect(xhci.configRead(4, 2)).toBe(0);
    const d2 = new XhciDriver(xhci, drv.pciMem, drv.g);
    d2.capLength = d2.r32(0) & 0xff;
    expect(d2.op(0x04) & 1).toBe(1);
    expect(d2.portsc(5) & (CCS | PED)).toBe(CCS);
    expect(kbd.pendingReports).toBe(0);
  });
});

/** Decodes raw event TRB words (used by the fuzz test too). */
export { decodeEvent, ProducerRing };

/** HID 1.11 Appendix B.1 "Protocol 1 (Keyboard)", bytes as printed in the specification. */
const HID_B1_BOOT_KEYBOARD = [
  0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08,
  0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02,
  0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65,
  0x81, 0x00, 0xc0,
];

interface InputItem {
  page: number;
  usages: number[];
  size: number;
  count: number;
  min: number;
  max: number;
  flags: number;
}

/** A minimal HID 1.11 §6.2.2 short-item parser collecting Input main items. */
function parseHidInputs(d: Uint8Array): InputItem[] {
  const out: InputItem[] = [];
  const g = { page: 0, size: 0, count: 0, min: 0, max: 0 };
  let usages: number[] = [];
  let umin = -1;
  for (let i = 0; i < d.length; ) {
    const prefix = d[i]!;
    const len = [0, 1, 2, 4][prefix & 3]!;
    let u = 0;
    for (let k = 0; k < len; k++) u |= d[i + 1 + k]! << (8 * k);
    const s = len === 0 ? 0 : len === 1 ? (u << 24) >> 24 : len === 2 ? (u << 16) >> 16 : u;
    const tag = prefix & 0xfc;
    i += 1 + len;
    switch (tag) {
      case 0x04: g.page = u; break;
      case 0x14: g.min = s; break;
      case 0x24: g.max = s; break;
      case 0x74: g.size = u; break;
      case 0x94: g.count = u; break;
      case 0x08: usages.push(u); break;
      case 0x18: umin = u; break;
      case 0x28: for (let x = umin; x <= u; x++) usages.push(x); break;
      case 0x80:
        out.push({ page: g.page, usages, size: g.size, count: g.count, min: g.min, max: g.max, flags: u });
        usages = [];
        break;
      case 0xa0: case 0xc0: case 0x90: case 0xb0: usages = []; break;
    }
  }
  return out;
}

void decodeEvent;
