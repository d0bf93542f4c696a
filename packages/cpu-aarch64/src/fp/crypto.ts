// Cryptographic extension (FEAT_AES, FEAT_SHA1, FEAT_SHA256) on 128-bit registers held in a
// Uint32Array register file (4 words per register, word 0 = bits 31..0): `d`, `n`, `m` are word
// offsets (register number * 4). Results are written to v[d..d+3]. No allocation per call.

// AES S-boxes computed from the GF(2^8) inverse and the affine map (FIPS-197 §5.1.1).
const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
function gmul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) r ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return r;
}
for (let x = 0; x < 256; x++) {
  let inv = 0;
  if (x !== 0) for (inv = 1; gmul(x, inv) !== 1; inv++);
  let s = inv;
  let r = inv;
  for (let i = 0; i < 4; i++) {
    r = ((r << 1) | (r >> 7)) & 0xff;
    s ^= r;
  }
  s ^= 0x63;
  SBOX[x] = s;
  INV_SBOX[s] = x;
}
const MUL2 = new Uint8Array(256);
const MUL3 = new Uint8Array(256);
const MUL9 = new Uint8Array(256);
const MUL11 = new Uint8Array(256);
const MUL13 = new Uint8Array(256);
const MUL14 = new Uint8Array(256);
for (let x = 0; x < 256; x++) {
  MUL2[x] = gmul(x, 2);
  MUL3[x] = gmul(x, 3);
  MUL9[x] = gmul(x, 9);
  MUL11[x] = gmul(x, 11);
  MUL13[x] = gmul(x, 13);
  MUL14[x] = gmul(x, 14);
}

const bIn = new Uint8Array(16);
const bOut = new Uint8Array(16);

function load(v: Uint32Array, o: number): void {
  for (let w = 0; w < 4; w++) {
    const x = v[o + w];
    bIn[4 * w] = x & 0xff;
    bIn[4 * w + 1] = (x >>> 8) & 0xff;
    bIn[4 * w + 2] = (x >>> 16) & 0xff;
    bIn[4 * w + 3] = x >>> 24;
  }
}
function store(v: Uint32Array, o: number): void {
  for (let w = 0; w < 4; w++) {
    v[o + w] = (bOut[4 * w] | (bOut[4 * w + 1] << 8) | (bOut[4 * w + 2] << 16) | (bOut[4 * w + 3] << 24)) >>> 0;
  }
}

/** AESE: Vd = SubBytes(ShiftRows(Vd ^ Vn)). */
export function aese(v: Uint32Array, d: number, n: number): void {
  for (let w = 0; w < 4; w++) v[d + w] = (v[d + w] ^ v[n + w]) >>> 0;
  load(v, d);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) bOut[r + 4 * c] = SBOX[bIn[r + 4 * ((c + r) & 3)]];
  store(v, d);
}
/** AESD: Vd = InvSubBytes(InvShiftRows(Vd ^ Vn)). */
export function aesd(v: Uint32Array, d: number, n: number): void {
  for (let w = 0; w < 4; w++) v[d + w] = (v[d + w] ^ v[n + w]) >>> 0;
  load(v, d);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) bOut[r + 4 * ((c + r) & 3)] = INV_SBOX[bIn[r + 4 * c]];
  store(v, d);
}
/** AESMC: Vd = MixColumns(Vn). */
export function aesmc(v: Uint32Array, d: number, n: number): void {
  load(v, n);
  for (let c = 0; c < 4; c++) {
    const a0 = bIn[4 * c];
    const a1 = bIn[4 * c + 1];
    const a2 = bIn[4 * c + 2];
    const a3 = bIn[4 * c + 3];
    bOut[4 * c] = MUL2[a0] ^ MUL3[a1] ^ a2 ^ a3;
    bOut[4 * c + 1] = a0 ^ MUL2[a1] ^ MUL3[a2] ^ a3;
    bOut[4 * c + 2] = a0 ^ a1 ^ MUL2[a2] ^ MUL3[a3];
    bOut[4 * c + 3] = MUL3[a0] ^ a1 ^ a2 ^ MUL2[a3];
  }
  store(v, d);
}
/** AESIMC: Vd = InvMixColumns(Vn). */
export function aesimc(v: Uint32Array, d: number, n: number): void {
  load(v, n);
  for (let c = 0; c < 4; c++) {
    const a0 = bIn[4 * c];
    const a1 = bIn[4 * c + 1];
    const a2 = bIn[4 * c + 2];
    const a3 = bIn[4 * c + 3];
    bOut[4 * c] = MUL14[a0] ^ MUL11[a1] ^ MUL13[a2] ^ MUL9[a3];
    bOut[4 * c + 1] = MUL9[a0] ^ MUL14[a1] ^ MUL11[a2] ^ MUL13[a3];
    bOut[4 * c + 2] = MUL13[a0] ^ MUL9[a1] ^ MUL14[a2] ^ MUL11[a3];
    bOut[4 * c + 3] = MUL11[a0] ^ MUL13[a1] ^ MUL9[a2] ^ MUL14[a3];
  }
  store(v, d);
}

// SHA-1 / SHA-256 ------------------------------------------------------------------------------

function rol(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}
function ror(x: number, n: number): number {
  return ((x >>> n) | (x << (32 - n))) >>> 0;
}

const X = new Uint32Array(4);
const Y = new Uint32Array(4);
const W = new Uint32Array(4);

/** SHA1C (kind 0, choose), SHA1P (1, parity), SHA1M (2, majority): Qd, Sn (word offset n), Vm. */
export function sha1hash(v: Uint32Array, d: number, n: number, m: number, kind: number): void {
  for (let i = 0; i < 4; i++) {
    X[i] = v[d + i];
    W[i] = v[m + i];
  }
  let y = v[n];
  for (let e = 0; e < 4; e++) {
    const a = X[1];
    const b = X[2];
    const c = X[3];
    const t = kind === 0 ? ((b ^ c) & a) ^ c : kind === 1 ? a ^ b ^ c : (a & b) | ((a | b) & c);
    y = (y + rol(X[0], 5) + t + W[e]) >>> 0;
    X[1] = rol(X[1], 30);
    // <Y, X> = ROL(Y:X, 32)
    const top = X[3];
    X[3] = X[2];
    X[2] = X[1];
    X[1] = X[0];
    X[0] = y;
    y = top;
  }
  for (let i = 0; i < 4; i++) v[d + i] = X[i];
}
/** SHA1H: Sd = ROL(Sn, 30) (the rest of Vd is zeroed by the caller's scalar write). */
export function sha1h(a: number): number {
  return rol(a >>> 0, 30);
}
/** SHA1SU0 Vd, Vn, Vm. */
export function sha1su0(v: Uint32Array, d: number, n: number, m: number): void {
  const r0 = v[d + 2];
  const r1 = v[d + 3];
  const r2 = v[n];
  const r3 = v[n + 1];
  v[d] = (r0 ^ v[d] ^ v[m]) >>> 0;
  v[d + 1] = (r1 ^ v[d + 1] ^ v[m + 1]) >>> 0;
  v[d + 2] = (r2 ^ v[d + 2] ^ v[m + 2]) >>> 0;
  v[d + 3] = (r3 ^ v[d + 3] ^ v[m + 3]) >>> 0;
}
/** SHA1SU1 Vd, Vn. */
export function sha1su1(v: Uint32Array, d: number, n: number): void {
  const t0 = v[d] ^ v[n + 1];
  const t1 = v[d + 1] ^ v[n + 2];
  const t2 = v[d + 2] ^ v[n + 3];
  const t3 = v[d + 3];
  v[d] = rol(t0 >>> 0, 1);
  v[d + 1] = rol(t1 >>> 0, 1);
  v[d + 2] = rol(t2 >>> 0, 1);
  v[d + 3] = (rol(t3 >>> 0, 1) ^ rol(t0 >>> 0, 2)) >>> 0;
}

/** SHA256H (part1) Qd, Qn, Vm and SHA256H2 (!part1). */
export function sha256hash(v: Uint32Array, d: number, n: number, m: number, part1: boolean): void {
  for (let i = 0; i < 4; i++) {
    X[i] = part1 ? v[d + i] : v[n + i];
    Y[i] = part1 ? v[n + i] : v[d + i];
    W[i] = v[m + i];
  }
  for (let e = 0; e < 4; e++) {
    const chs = ((Y[1] ^ Y[2]) & Y[0]) ^ Y[2];
    const maj = (X[0] & X[1]) | ((X[0] | X[1]) & X[2]);
    const s1 = ror(Y[0], 6) ^ ror(Y[0], 11) ^ ror(Y[0], 25);
    const s0 = ror(X[0], 2) ^ ror(X[0], 13) ^ ror(X[0], 22);
    const t = (Y[3] + s1 + chs + W[e]) >>> 0;
    X[3] = (t + X[3]) >>> 0;
    Y[3] = (t + s0 + maj) >>> 0;
    // <Y, X> = ROL(Y:X, 32)
    const y3 = Y[3];
    Y[3] = Y[2];
    Y[2] = Y[1];
    Y[1] = Y[0];
    Y[0] = X[3];
    X[3] = X[2];
    X[2] = X[1];
    X[1] = X[0];
    X[0] = y3;
  }
  for (let i = 0; i < 4; i++) v[d + i] = part1 ? X[i] : Y[i];
}
/** SHA256SU0 Vd, Vn. */
export function sha256su0(v: Uint32Array, d: number, n: number): void {
  // T = Vn<31:0> : Vd<127:32>
  W[0] = v[d + 1];
  W[1] = v[d + 2];
  W[2] = v[d + 3];
  W[3] = v[n];
  for (let e = 0; e < 4; e++) {
    const x = W[e];
    v[d + e] = ((ror(x, 7) ^ ror(x, 18) ^ (x >>> 3)) + v[d + e]) >>> 0;
  }
}
/** SHA256SU1 Vd, Vn, Vm. */
export function sha256su1(v: Uint32Array, d: number, n: number, m: number): void {
  // T0 = Vm<31:0> : Vn<127:32>; T1 = Vm<127:64>
  W[0] = v[n + 1];
  W[1] = v[n + 2];
  W[2] = v[n + 3];
  W[3] = v[m];
  const m2 = v[m + 2];
  const m3 = v[m + 3];
  for (let e = 0; e < 4; e++) {
    const x = e === 0 ? m2 : e === 1 ? m3 : Y[e - 2];
    Y[e] = ((ror(x, 17) ^ ror(x, 19) ^ (x >>> 10)) + v[d + e] + W[e]) >>> 0;
  }
  for (let e = 0; e < 4; e++) v[d + e] = Y[e];
}
