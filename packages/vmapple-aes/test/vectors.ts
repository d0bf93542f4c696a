/**
 * Published test vectors, typed in from the standards:
 * FIPS-197 appendix C (C.1 AES-128, C.2 AES-192, C.3 AES-256) and
 * NIST SP 800-38A appendix F.1 (ECB) and F.2 (CBC).
 */
export const hexBytes = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export const FIPS197_C = [
  { name: 'C.1 AES-128', key: '000102030405060708090a0b0c0d0e0f', pt: '00112233445566778899aabbccddeeff', ct: '69c4e0d86a7b0430d8cdb78070b4c55a' },
  {
    name: 'C.2 AES-192',
    key: '000102030405060708090a0b0c0d0e0f1011121314151617',
    pt: '00112233445566778899aabbccddeeff',
    ct: 'dda97ca4864cdfe06eaf70a0ec0d7191',
  },
  {
    name: 'C.3 AES-256',
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    pt: '00112233445566778899aabbccddeeff',
    ct: '8ea2b7ca516745bfeafc49904b496089',
  },
];

const SP800_38A_PT =
  '6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710';
const KEY128 = '2b7e151628aed2a6abf7158809cf4f3c';
const KEY192 = '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b';
const KEY256 = '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4';
const IV = '000102030405060708090a0b0c0d0e0f';

export interface ModeVector {
  name: string;
  mode: 'ecb' | 'cbc';
  encrypt: boolean;
  key: string;
  iv: string;
  input: string;
  output: string;
}

const ECB128 = '3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf 43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4';
const ECB192 = 'bd334f1d6e45f25ff712a214571fa5cc 974104846d0ad3ad7734ecb3ecee4eef ef7afd2270e2e60adce0ba2face6444e 9a4b41ba738d6c72fb16691603c18e0e';
const ECB256 = 'f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870 b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7';
const CBC128 = '7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7';
const CBC192 = '4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a 571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd';
const CBC256 = 'f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b';

function pair(id: string, mode: 'ecb' | 'cbc', bits: number, key: string, ct: string, decId: string): ModeVector[] {
  const iv = mode === 'cbc' ? IV : '00'.repeat(16);
  return [
    { name: `${id} ${mode.toUpperCase()}-AES${bits}.Encrypt`, mode, encrypt: true, key, iv, input: SP800_38A_PT, output: ct },
    { name: `${decId} ${mode.toUpperCase()}-AES${bits}.Decrypt`, mode, encrypt: false, key, iv, input: ct, output: SP800_38A_PT },
  ];
}

export const SP800_38A: ModeVector[] = [
  ...pair('F.1.1', 'ecb', 128, KEY128, ECB128, 'F.1.2'),
  ...pair('F.1.3', 'ecb', 192, KEY192, ECB192, 'F.1.4'),
  ...pair('F.1.5', 'ecb', 256, KEY256, ECB256, 'F.1.6'),
  ...pair('F.2.1', 'cbc', 128, KEY128, CBC128, 'F.2.2'),
  ...pair('F.2.3', 'cbc', 192, KEY192, CBC192, 'F.2.4'),
  ...pair('F.2.5', 'cbc', 256, KEY256, CBC256, 'F.2.6'),
];
