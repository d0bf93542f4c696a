/**
 * AES (FIPS-197) in plain TypeScript: synchronous, browser-safe, table driven.
 *
 * State words are packed little-endian (byte 0 of a column in bits 7..0), so
 * blocks are read straight out of guest RAM through an Int32Array view on a
 * little-endian host, with no byte swapping. The round table of each
 * direction combines SubBytes, ShiftRows and MixColumns for one state byte;
 * its four byte positions (rotations) sit back to back in one 1024-entry
 * Int32Array (entry 0x100 * position + byte), which keeps a single table base
 * live in the block loop (measured 1.1-1.2x over four separate 256-entry
 * arrays). Built once at module load; the block loops allocate nothing.
 */

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
const TE = new Int32Array(1024);
const TD = new Int32Array(1024);

/** Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
function gmul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return p;
}

function rotl(w: number, n: number): number {
  return (w << n) | (w >>> (32 - n));
}

(function buildTables(): void {
  // S-box: multiplicative inverse followed by the affine transform (FIPS-197 §5.1.1).
  for (let x = 0; x < 256; x++) {
    let inv = 0;
    if (x !== 0) for (inv = 1; gmul(x, inv) !== 1; inv++);
    let s = inv;
    for (let i = 1; i <= 4; i++) s ^= ((inv << i) | (inv >>> (8 - i))) & 0xff;
    s ^= 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
  }
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]!;
    // Column contribution of a row-0 byte: MixColumns coefficients (2, 1, 1, 3).
    const e = gmul(s, 2) | (s << 8) | (s << 16) | (gmul(s, 3) << 24);
    TE[x] = e;
    TE[0x100 | x] = rotl(e, 8);
    TE[0x200 | x] = rotl(e, 16);
    TE[0x300 | x] = rotl(e, 24);
    const i = INV_SBOX[x]!;
    // InvMixColumns coefficients (14, 9, 13, 11).
    const d = gmul(i, 14) | (gmul(i, 9) << 8) | (gmul(i, 13) << 16) | (gmul(i, 11) << 24);
    TD[x] = d;
    TD[0x100 | x] = rotl(d, 8);
    TD[0x200 | x] = rotl(d, 16);
    TD[0x300 | x] = rotl(d, 24);
  }
})();

/** An expanded key: encryption round keys and equivalent-inverse-cipher round keys. */
export class AesKeySchedule {
  readonly rounds: number;
  readonly enc: Int32Array;
  readonly dec: Int32Array;

  /** `key` must be 16, 24 or 32 bytes long. */
  constructor(key: Uint8Array) {
    const nk = key.length >>> 2;
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new RangeError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
    }
    const rounds = nk + 6;
    const total = 4 * (rounds + 1);
    const w = new Int32Array(total);
    for (let i = 0; i < nk; i++) {
      w[i] = key[4 * i]! | (key[4 * i + 1]! << 8) | (key[4 * i + 2]! << 16) | (key[4 * i + 3]! << 24);
    }
    let rcon = 1;
    for (let i = nk; i < total; i++) {
      let t = w[i - 1]!;
      if (i % nk === 0) {
        t = subWord((t >>> 8) | (t << 24)) ^ rcon; // RotWord then SubWord, Rcon in byte 0
        rcon = gmul(rcon, 2);
      } else if (nk > 6 && i % nk === 4) {
        t = subWord(t);
      }
      w[i] = w[i - nk]! ^ t;
    }
    const dec = new Int32Array(total);
    for (let r = 0; r <= rounds; r++) {
      for (let c = 0; c < 4; c++) {
        const k = w[4 * (rounds - r) + c]!;
        dec[4 * r + c] = r === 0 || r === rounds ? k : invMixWord(k);
      }
    }
    this.rounds = rounds;
    this.enc = w;
    this.dec = dec;
  }
}

function subWord(w: number): number {
  return SBOX[w & 0xff]! | (SBOX[(w >>> 8) & 0xff]! << 8) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[w >>> 24]! << 24);
}

/** InvMixColumns of one column, through the decryption tables (TD[S[x]] = coefficients x x). */
function invMixWord(w: number): number {
  return (
    TD[SBOX[w & 0xff]!]! ^ TD[0x100 | SBOX[(w >>> 8) & 0xff]!]! ^ TD[0x200 | SBOX[(w >>> 16) & 0xff]!]! ^ TD[0x300 | SBOX[w >>> 24]!]!
  );
}

/** Encrypts the block (s0..s3) and stores it at out[o..o+3]. */
function encryptBlock(k: Int32Array, rounds: number, s0: number, s1: number, s2: number, s3: number, out: Int32Array, o: number): void {
  const T = TE;
  s0 ^= k[0]!;
  s1 ^= k[1]!;
  s2 ^= k[2]!;
  s3 ^= k[3]!;
  let ki = 4;
  // Rounds 1..rounds-1, two per iteration (rounds is 10, 12 or 14), then the odd one out.
  for (let r = 2; r < rounds; r += 2) {
    const t0 = T[s0 & 0xff]! ^ T[0x100 | ((s1 >>> 8) & 0xff)]! ^ T[0x200 | ((s2 >>> 16) & 0xff)]! ^ T[0x300 | (s3 >>> 24)]! ^ k[ki]!;
    const t1 = T[s1 & 0xff]! ^ T[0x100 | ((s2 >>> 8) & 0xff)]! ^ T[0x200 | ((s3 >>> 16) & 0xff)]! ^ T[0x300 | (s0 >>> 24)]! ^ k[ki + 1]!;
    const t2 = T[s2 & 0xff]! ^ T[0x100 | ((s3 >>> 8) & 0xff)]! ^ T[0x200 | ((s0 >>> 16) & 0xff)]! ^ T[0x300 | (s1 >>> 24)]! ^ k[ki + 2]!;
    const t3 = T[s3 & 0xff]! ^ T[0x100 | ((s0 >>> 8) & 0xff)]! ^ T[0x200 | ((s1 >>> 16) & 0xff)]! ^ T[0x300 | (s2 >>> 24)]! ^ k[ki + 3]!;
    const u0 = T[t0 & 0xff]! ^ T[0x100 | ((t1 >>> 8) & 0xff)]! ^ T[0x200 | ((t2 >>> 16) & 0xff)]! ^ T[0x300 | (t3 >>> 24)]! ^ k[ki + 4]!;
    const u1 = T[t1 & 0xff]! ^ T[0x100 | ((t2 >>> 8) & 0xff)]! ^ T[0x200 | ((t3 >>> 16) & 0xff)]! ^ T[0x300 | (t0 >>> 24)]! ^ k[ki + 5]!;
    const u2 = T[t2 & 0xff]! ^ T[0x100 | ((t3 >>> 8) & 0xff)]! ^ T[0x200 | ((t0 >>> 16) & 0xff)]! ^ T[0x300 | (t1 >>> 24)]! ^ k[ki + 6]!;
    const u3 = T[t3 & 0xff]! ^ T[0x100 | ((t0 >>> 8) & 0xff)]! ^ T[0x200 | ((t1 >>> 16) & 0xff)]! ^ T[0x300 | (t2 >>> 24)]! ^ k[ki + 7]!;
    s0 = u0;
    s1 = u1;
    s2 = u2;
    s3 = u3;
    ki += 8;
  }
  {
    const t0 = T[s0 & 0xff]! ^ T[0x100 | ((s1 >>> 8) & 0xff)]! ^ T[0x200 | ((s2 >>> 16) & 0xff)]! ^ T[0x300 | (s3 >>> 24)]! ^ k[ki]!;
    const t1 = T[s1 & 0xff]! ^ T[0x100 | ((s2 >>> 8) & 0xff)]! ^ T[0x200 | ((s3 >>> 16) & 0xff)]! ^ T[0x300 | (s0 >>> 24)]! ^ k[ki + 1]!;
    const t2 = T[s2 & 0xff]! ^ T[0x100 | ((s3 >>> 8) & 0xff)]! ^ T[0x200 | ((s0 >>> 16) & 0xff)]! ^ T[0x300 | (s1 >>> 24)]! ^ k[ki + 2]!;
    const t3 = T[s3 & 0xff]! ^ T[0x100 | ((s0 >>> 8) & 0xff)]! ^ T[0x200 | ((s1 >>> 16) & 0xff)]! ^ T[0x300 | (s2 >>> 24)]! ^ k[ki + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
    ki += 4;
  }
  const S = SBOX;
  out[o] = (S[s0 & 0xff]! | (S[(s1 >>> 8) & 0xff]! << 8) | (S[(s2 >>> 16) & 0xff]! << 16) | (S[s3 >>> 24]! << 24)) ^ k[ki]!;
  out[o + 1] = (S[s1 & 0xff]! | (S[(s2 >>> 8) & 0xff]! << 8) | (S[(s3 >>> 16) & 0xff]! << 16) | (S[s0 >>> 24]! << 24)) ^ k[ki + 1]!;
  out[o + 2] = (S[s2 & 0xff]! | (S[(s3 >>> 8) & 0xff]! << 8) | (S[(s0 >>> 16) & 0xff]! << 16) | (S[s1 >>> 24]! << 24)) ^ k[ki + 2]!;
  out[o + 3] = (S[s3 & 0xff]! | (S[(s0 >>> 8) & 0xff]! << 8) | (S[(s1 >>> 16) & 0xff]! << 16) | (S[s2 >>> 24]! << 24)) ^ k[ki + 3]!;
}

/** Decrypts the block (s0..s3) with the equivalent inverse cipher and stores it at out[o..o+3]. */
function decryptBlock(k: Int32Array, rounds: number, s0: number, s1: number, s2: number, s3: number, out: Int32Array, o: number): void {
  const T = TD;
  s0 ^= k[0]!;
  s1 ^= k[1]!;
  s2 ^= k[2]!;
  s3 ^= k[3]!;
  let ki = 4;
  // Rounds 1..rounds-1, two per iteration (rounds is 10, 12 or 14), then the odd one out.
  for (let r = 2; r < rounds; r += 2) {
    const t0 = T[s0 & 0xff]! ^ T[0x100 | ((s3 >>> 8) & 0xff)]! ^ T[0x200 | ((s2 >>> 16) & 0xff)]! ^ T[0x300 | (s1 >>> 24)]! ^ k[ki]!;
    const t1 = T[s1 & 0xff]! ^ T[0x100 | ((s0 >>> 8) & 0xff)]! ^ T[0x200 | ((s3 >>> 16) & 0xff)]! ^ T[0x300 | (s2 >>> 24)]! ^ k[ki + 1]!;
    const t2 = T[s2 & 0xff]! ^ T[0x100 | ((s1 >>> 8) & 0xff)]! ^ T[0x200 | ((s0 >>> 16) & 0xff)]! ^ T[0x300 | (s3 >>> 24)]! ^ k[ki + 2]!;
    const t3 = T[s3 & 0xff]! ^ T[0x100 | ((s2 >>> 8) & 0xff)]! ^ T[0x200 | ((s1 >>> 16) & 0xff)]! ^ T[0x300 | (s0 >>> 24)]! ^ k[ki + 3]!;
    const u0 = T[t0 & 0xff]! ^ T[0x100 | ((t3 >>> 8) & 0xff)]! ^ T[0x200 | ((t2 >>> 16) & 0xff)]! ^ T[0x300 | (t1 >>> 24)]! ^ k[ki + 4]!;
    const u1 = T[t1 & 0xff]! ^ T[0x100 | ((t0 >>> 8) & 0xff)]! ^ T[0x200 | ((t3 >>> 16) & 0xff)]! ^ T[0x300 | (t2 >>> 24)]! ^ k[ki + 5]!;
    const u2 = T[t2 & 0xff]! ^ T[0x100 | ((t1 >>> 8) & 0xff)]! ^ T[0x200 | ((t0 >>> 16) & 0xff)]! ^ T[0x300 | (t3 >>> 24)]! ^ k[ki + 6]!;
    const u3 = T[t3 & 0xff]! ^ T[0x100 | ((t2 >>> 8) & 0xff)]! ^ T[0x200 | ((t1 >>> 16) & 0xff)]! ^ T[0x300 | (t0 >>> 24)]! ^ k[ki + 7]!;
    s0 = u0;
    s1 = u1;
    s2 = u2;
    s3 = u3;
    ki += 8;
  }
  {
    const t0 = T[s0 & 0xff]! ^ T[0x100 | ((s3 >>> 8) & 0xff)]! ^ T[0x200 | ((s2 >>> 16) & 0xff)]! ^ T[0x300 | (s1 >>> 24)]! ^ k[ki]!;
    const t1 = T[s1 & 0xff]! ^ T[0x100 | ((s0 >>> 8) & 0xff)]! ^ T[0x200 | ((s3 >>> 16) & 0xff)]! ^ T[0x300 | (s2 >>> 24)]! ^ k[ki + 1]!;
    const t2 = T[s2 & 0xff]! ^ T[0x100 | ((s1 >>> 8) & 0xff)]! ^ T[0x200 | ((s0 >>> 16) & 0xff)]! ^ T[0x300 | (s3 >>> 24)]! ^ k[ki + 2]!;
    const t3 = T[s3 & 0xff]! ^ T[0x100 | ((s2 >>> 8) & 0xff)]! ^ T[0x200 | ((s1 >>> 16) & 0xff)]! ^ T[0x300 | (s0 >>> 24)]! ^ k[ki + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
    ki += 4;
  }
  const S = INV_SBOX;
  out[o] = (S[s0 & 0xff]! | (S[(s3 >>> 8) & 0xff]! << 8) | (S[(s2 >>> 16) & 0xff]! << 16) | (S[s1 >>> 24]! << 24)) ^ k[ki]!;
  out[o + 1] = (S[s1 & 0xff]! | (S[(s0 >>> 8) & 0xff]! << 8) | (S[(s3 >>> 16) & 0xff]! << 16) | (S[s2 >>> 24]! << 24)) ^ k[ki + 1]!;
  out[o + 2] = (S[s2 & 0xff]! | (S[(s1 >>> 8) & 0xff]! << 8) | (S[(s0 >>> 16) & 0xff]! << 16) | (S[s3 >>> 24]! << 24)) ^ k[ki + 2]!;
  out[o + 3] = (S[s3 & 0xff]! | (S[(s2 >>> 8) & 0xff]! << 8) | (S[(s1 >>> 16) & 0xff]! << 16) | (S[s0 >>> 24]! << 24)) ^ k[ki + 3]!;
}

/**
 * Runs `blocks` 16-byte blocks from src[si..] to dst[di..] (word indices;
 * src and dst may be the same array at the same index). `chain` holds the
 * CBC chaining value (the IV on entry, the last ciphertext block on return);
 * it is ignored in ECB mode. Each mode and direction has its own loop, so
 * every loop stays monomorphic and optimised (one shared loop deoptimised
 * each time the mode changed).
 */
export function aesWords(
  ks: AesKeySchedule,
  encrypt: boolean,
  cbc: boolean,
  chain: Int32Array,
  src: Int32Array,
  si: number,
  dst: Int32Array,
  di: number,
  blocks: number,
): void {
  // Work in 4 KiB slices: the block loops are then entered often and get
  // optimised as whole functions, rather than by on-stack replacement inside
  // one long call (which deoptimised on every exit from the loop).
  const k = encrypt ? ks.enc : ks.dec;
  const rounds = ks.rounds;
  while (blocks > 0) {
    const n = blocks < SLICE_BLOCKS ? blocks : SLICE_BLOCKS;
    if (encrypt) {
      if (cbc) cbcEncrypt(k, rounds, chain, src, si, dst, di, n);
      else ecbEncrypt(k, rounds, src, si, dst, di, n);
    } else if (cbc) {
      cbcDecrypt(k, rounds, chain, src, si, dst, di, n);
    } else {
      ecbDecrypt(k, rounds, src, si, dst, di, n);
    }
    si += 4 * n;
    di += 4 * n;
    blocks -= n;
  }
}

const SLICE_BLOCKS = 256;

function ecbEncrypt(k: Int32Array, rounds: number, src: Int32Array, si: number, dst: Int32Array, di: number, blocks: number): void {
  for (const end = si + 4 * blocks; si < end; si += 4, di += 4) {
    encryptBlock(k, rounds, src[si]!, src[si + 1]!, src[si + 2]!, src[si + 3]!, dst, di);
  }
}

function ecbDecrypt(k: Int32Array, rounds: number, src: Int32Array, si: number, dst: Int32Array, di: number, blocks: number): void {
  for (const end = si + 4 * blocks; si < end; si += 4, di += 4) {
    decryptBlock(k, rounds, src[si]!, src[si + 1]!, src[si + 2]!, src[si + 3]!, dst, di);
  }
}

function cbcEncrypt(
  k: Int32Array,
  rounds: number,
  chain: Int32Array,
  src: Int32Array,
  si: number,
  dst: Int32Array,
  di: number,
  blocks: number,
): void {
  let c0 = chain[0]!;
  let c1 = chain[1]!;
  let c2 = chain[2]!;
  let c3 = chain[3]!;
  for (const end = si + 4 * blocks; si < end; si += 4, di += 4) {
    encryptBlock(k, rounds, src[si]! ^ c0, src[si + 1]! ^ c1, src[si + 2]! ^ c2, src[si + 3]! ^ c3, dst, di);
    c0 = dst[di]!;
    c1 = dst[di + 1]!;
    c2 = dst[di + 2]!;
    c3 = dst[di + 3]!;
  }
  chain[0] = c0;
  chain[1] = c1;
  chain[2] = c2;
  chain[3] = c3;
}

function cbcDecrypt(
  k: Int32Array,
  rounds: number,
  chain: Int32Array,
  src: Int32Array,
  si: number,
  dst: Int32Array,
  di: number,
  blocks: number,
): void {
  let p0 = chain[0]!;
  let p1 = chain[1]!;
  let p2 = chain[2]!;
  let p3 = chain[3]!;
  for (const end = si + 4 * blocks; si < end; si += 4, di += 4) {
    // Read the ciphertext before the output may overwrite it (in-place operation).
    const c0 = src[si]!;
    const c1 = src[si + 1]!;
    const c2 = src[si + 2]!;
    const c3 = src[si + 3]!;
    decryptBlock(k, rounds, c0, c1, c2, c3, dst, di);
    dst[di] ^= p0;
    dst[di + 1] ^= p1;
    dst[di + 2] ^= p2;
    dst[di + 3] ^= p3;
    p0 = c0;
    p1 = c1;
    p2 = c2;
    p3 = c3;
  }
  chain[0] = p0;
  chain[1] = p1;
  chain[2] = p2;
  chain[3] = p3;
}
