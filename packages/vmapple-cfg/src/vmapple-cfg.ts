import { ConfigValidator, RamRegion } from '@vmapple/core-bus';
import {
  CFG_FIXED,
  CFG_MAX_CPUS,
  CFG_REGION_SIZE,
  CFG_STRING_FIELD,
  CFG_STRING_MAX,
  CFG_STRUCT_SIZE,
  CfgOffset,
} from './layout.js';

/** A MAC address: "52:54:00:12:34:56" (or with '-') or six bytes. */
export type MacAddress = string | Uint8Array | readonly number[];

/** Device properties (spec §4.3); names in error messages are QEMU's. */
export interface VmappleCfgOptions {
  /** `nr-cpus`, 1..128; default 1. */
  nrCpus?: number;
  /** `ecid` (the machine's `uuid`), u64; default 0. */
  ecid?: bigint | number;
  /** `ram-size` in bytes, u64; default 0. */
  ramSize?: bigint | number;
  /** `run_installer1`, u32; default 0. */
  runInstaller1?: number;
  /** `run_installer2`, u32; default 0. */
  runInstaller2?: number;
  /** `rnd`, u32; default 0 (the machine passes a fresh random value). */
  rnd?: number;
  macEn0?: MacAddress;
  macEn1?: MacAddress;
  macWifi0?: MacAddress;
  macBt0?: MacAddress;
  /** `serial`, at most 31 bytes; default "1234". */
  serial?: string;
  /** `model`, at most 31 bytes; default "VM0001". */
  model?: string;
  /** `soc_name`, at most 31 bytes; default "Apple M1 (Virtual)". */
  socName?: string;
  /** Name in error messages; default "vmapple-cfg". */
  name?: string;
}

/** The validated property values the structure is built from. */
export interface VmappleCfgProperties {
  nrCpus: number;
  ecid: bigint;
  ramSize: bigint;
  runInstaller1: number;
  runInstaller2: number;
  rnd: number;
  macEn0: Uint8Array;
  macEn1: Uint8Array;
  macWifi0: Uint8Array;
  macBt0: Uint8Array;
  serial: string;
  model: string;
  socName: string;
}

const U32 = { min: 0, max: 0xffff_ffff };
const encoder = new TextEncoder();

/**
 * The vmapple configuration region (`vmapple-cfg`, spec §4): 64 KiB of
 * guest-writable RAM that holds a fixed structure describing the VM. Every
 * reset zeroes the region and writes the structure again, so guest changes
 * last until the next reset.
 */
export class VmappleCfg {
  /** Map at `CFG_BASE` with `AddressSpace.mapRam`. */
  readonly ram: RamRegion;
  readonly properties: Readonly<VmappleCfgProperties>;
  private readonly image: Uint8Array;

  constructor(options: VmappleCfgOptions = {}) {
    const v = new ConfigValidator(options.name ?? 'vmapple-cfg');
    const str = (prop: string, value: string | undefined, fallback: string): string => {
      const s = v.string(prop, value, fallback, CFG_STRING_MAX);
      if (s.includes('\0')) v.fail(prop, `must not contain a NUL character, got ${JSON.stringify(s)}`);
      return s;
    };
    this.properties = Object.freeze({
      nrCpus: v.int('nr-cpus', options.nrCpus, 1, { min: 1, max: CFG_MAX_CPUS }),
      ecid: v.u64('ecid', options.ecid, 0n),
      ramSize: v.u64('ram-size', options.ramSize, 0n),
      runInstaller1: v.int('run_installer1', options.runInstaller1, 0, U32),
      runInstaller2: v.int('run_installer2', options.runInstaller2, 0, U32),
      rnd: v.int('rnd', options.rnd, 0, U32),
      macEn0: parseMac(v, 'mac-en0', options.macEn0),
      macEn1: parseMac(v, 'mac-en1', options.macEn1),
      macWifi0: parseMac(v, 'mac-wifi0', options.macWifi0),
      macBt0: parseMac(v, 'mac-bt0', options.macBt0),
      serial: str('serial', options.serial, '1234'),
      model: str('model', options.model, 'VM0001'),
      socName: str('soc_name', options.socName, 'Apple M1 (Virtual)'),
    });
    this.image = buildImage(this.properties);
    this.ram = new RamRegion(v.device, CFG_REGION_SIZE);
    this.reset();
  }

  /** Zeroes the 64 KiB and copies the structure to offset 0 (QEMU does this at every reset). */
  reset(): void {
    this.ram.bytes.fill(0);
    this.ram.bytes.set(this.image, 0);
  }

  /** A copy of the structure as written at reset (0x5A8 bytes). */
  structure(): Uint8Array {
    return this.image.slice();
  }
}

function parseMac(v: ConfigValidator, prop: string, value: MacAddress | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(6);
  if (typeof value === 'string') {
    const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(value);
    if (!m) v.fail(prop, `must be a MAC address like 52:54:00:12:34:56, got ${JSON.stringify(value)}`);
    return Uint8Array.from(m.slice(1), (h) => parseInt(h, 16));
  }
  const bytes = Array.from(value as ArrayLike<number>);
  if (bytes.length !== 6 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    v.fail(prop, `must be six bytes 0..255, got [${bytes.join(', ')}]`);
  }
  return Uint8Array.from(bytes);
}

function buildImage(p: VmappleCfgProperties): Uint8Array {
  const img = new Uint8Array(CFG_STRUCT_SIZE);
  const dv = new DataView(img.buffer);
  const u32 = (off: number, val: number) => dv.setUint32(off, val, true);
  const str = (off: number, s: string) => img.set(encoder.encode(s).subarray(0, CFG_STRING_FIELD - 1), off);
  u32(CfgOffset.version, CFG_FIXED.version);
  u32(CfgOffset.nr_cpus, p.nrCpus);
  u32(CfgOffset.unk1, CFG_FIXED.unk1);
  u32(CfgOffset.unk2, CFG_FIXED.unk2);
  u32(CfgOffset.unk3, CFG_FIXED.unk3);
  u32(CfgOffset.unk4, CFG_FIXED.unk4);
  dv.setBigUint64(CfgOffset.ecid, p.ecid, true);
  dv.setBigUint64(CfgOffset.ram_size, p.ramSize, true);
  u32(CfgOffset.run_installer1, p.runInstaller1);
  u32(CfgOffset.unk5, CFG_FIXED.unk5);
  u32(CfgOffset.unk6, CFG_FIXED.unk6);
  u32(CfgOffset.run_installer2, p.runInstaller2);
  u32(CfgOffset.rnd, p.rnd);
  u32(CfgOffset.unk7, CFG_FIXED.unk7);
  img.set(p.macEn0, CfgOffset.mac_en0);
  img.set(p.macEn1, CfgOffset.mac_en1);
  img.set(p.macWifi0, CfgOffset.mac_wifi0);
  img.set(p.macBt0, CfgOffset.mac_bt0);
  for (let i = 0; i < p.nrCpus; i++) u32(CfgOffset.cpu_ids + 4 * i, i);
  str(CfgOffset.serial, p.serial);
  str(CfgOffset.unk8, CFG_FIXED.unk8);
  str(CfgOffset.model, p.model);
  u32(CfgOffset.unk10, CFG_FIXED.unk10);
  str(CfgOffset.soc_name, p.socName);
  return img;
}
