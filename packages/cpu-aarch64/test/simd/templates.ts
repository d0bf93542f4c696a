// Encoding templates per group (Arm ARM C4.1.6). Letters are random bits; "00ggg" is X0-X7.
import type { Template } from './run.js';

export const INTEGER: Template[] = [
  { name: 'three-same (0xxxx)', pattern: '0 Q U 01110 ss 1 mmmmm 0oooo 1 nnnnn ddddd' },
  { name: 'three-same (10xxx)', pattern: '0 Q U 01110 ss 1 mmmmm 10ooo 1 nnnnn ddddd' },
  { name: 'scalar three-same (0xxxx)', pattern: '01 U 11110 ss 1 mmmmm 0oooo 1 nnnnn ddddd' },
  { name: 'scalar three-same (10xxx)', pattern: '01 U 11110 ss 1 mmmmm 10ooo 1 nnnnn ddddd' },
  { name: 'two-reg misc (0xxxx)', pattern: '0 Q U 01110 ss 10000 0oooo 10 nnnnn ddddd' },
  { name: 'two-reg misc (10xxx)', pattern: '0 Q U 01110 ss 10000 10ooo 10 nnnnn ddddd' },
  { name: 'scalar two-reg misc (0xxxx)', pattern: '01 U 11110 ss 10000 0oooo 10 nnnnn ddddd' },
  { name: 'scalar two-reg misc (10xxx)', pattern: '01 U 11110 ss 10000 10ooo 10 nnnnn ddddd' },
  { name: 'across lanes', pattern: '0 Q U 01110 ss 11000 ooooo 10 nnnnn ddddd' },
  { name: 'scalar pairwise', pattern: '01 U 11110 ss 11000 ooooo 10 nnnnn ddddd' },
  { name: 'three different', pattern: '0 Q U 01110 ss 1 mmmmm oooo 00 nnnnn ddddd' },
  { name: 'scalar three different', pattern: '01 U 11110 ss 1 mmmmm oooo 00 nnnnn ddddd' },
  { name: 'permute', pattern: '0 Q 001110 ss 0 mmmmm 0 ooo 10 nnnnn ddddd' },
  { name: 'EXT', pattern: '0 Q 101110 000 mmmmm 0 iiii 0 nnnnn ddddd' },
  { name: 'TBL/TBX', pattern: '0 Q 001110 000 mmmmm 0 ll o 00 nnnnn ddddd' },
  { name: 'shift by immediate', pattern: '0 Q U 011110 hhhh bbb ooooo 1 nnnnn ddddd' },
  { name: 'scalar shift by immediate', pattern: '01 U 111110 hhhh bbb ooooo 1 nnnnn ddddd' },
  { name: 'copy (general)', pattern: '0 Q o 01110000 iiiii 0 jjjj 1 00ggg 00ggg' },
  { name: 'scalar DUP', pattern: '01 0 11110000 iiiii 0 0000 1 nnnnn ddddd' },
  { name: 'modified immediate', pattern: '0 Q o 0111100000 abc mmmm x 1 defgh ddddd' },
  { name: 'indexed element', pattern: '0 Q U 01111 ss L M mmmm oooo H 0 nnnnn ddddd' },
  { name: 'scalar indexed element', pattern: '01 U 11111 ss L M mmmm oooo H 0 nnnnn ddddd' },
];

export const LOAD_STORE: Template[] = [
  { name: 'LD/ST single structure', pattern: '0 Q 0011010 L R 00000 ooo S ss 000gg ttttt', pointers: 0x0f },
  { name: 'LD/ST single structure, post-index immediate', pattern: '0 Q 0011011 L R 11111 ooo S ss 000gg ttttt', pointers: 0x0f },
  { name: 'LD/ST single structure, post-index register', pattern: '0 Q 0011011 L R 001gg ooo S ss 000gg ttttt', pointers: 0x0f },
  { name: 'LD1R-LD4R', pattern: '0 Q 0011010 1 R 00000 11o 0 ss 000gg ttttt', pointers: 0x0f },
];

export const CRYPTO: Template[] = [
  { name: 'AES', pattern: '01001110 0010100 001oo 10 nnnnn ddddd' },
  { name: 'SHA three-register', pattern: '01011110 000 mmmmm 0 ooo 00 nnnnn ddddd' },
  { name: 'SHA two-register', pattern: '01011110 0010100 000oo 10 nnnnn ddddd' },
  { name: 'PMULL', pattern: '0 Q 0 01110 s s 1 mmmmm 1110 00 nnnnn ddddd' },
];

export const FP: Template[] = [
  { name: 'FP three-same', pattern: '0 Q U 01110 a s 1 mmmmm 11 ooo 1 nnnnn ddddd' },
  { name: 'scalar FP three-same', pattern: '01 U 11110 a s 1 mmmmm 11 ooo 1 nnnnn ddddd' },
  { name: 'FP two-reg misc', pattern: '0 Q U 01110 a s 10000 1 oooo 10 nnnnn ddddd' },
  { name: 'FP two-reg misc (0x0c-0x0f)', pattern: '0 Q U 01110 1 s 10000 011 oo 10 nnnnn ddddd' },
  { name: 'scalar FP two-reg misc', pattern: '01 U 11110 a s 10000 1 oooo 10 nnnnn ddddd' },
  { name: 'scalar FP two-reg misc (0x0c-0x0f)', pattern: '01 U 11110 1 s 10000 011 oo 10 nnnnn ddddd' },
  { name: 'FP 1-source', pattern: '000 11110 tt 1 oooooo 10000 nnnnn ddddd' },
  { name: 'FP 2-source', pattern: '000 11110 tt 1 mmmmm oooo 10 nnnnn ddddd' },
  { name: 'FP 3-source', pattern: '000 11111 tt o mmmmm o aaaaa nnnnn ddddd' },
  { name: 'FP compare', pattern: '000 11110 tt 1 mmmmm 00 1000 nnnnn oo000' },
  { name: 'FP conditional compare', pattern: '000 11110 tt 1 mmmmm cccc 01 nnnnn o ffff' },
  { name: 'FP conditional select', pattern: '000 11110 tt 1 mmmmm cccc 11 nnnnn ddddd' },
  { name: 'FP immediate', pattern: '000 11110 tt 1 iiiiiiii 100 00000 ddddd' },
  { name: 'FP <-> integer', pattern: 's 0 0 11110 tt 1 rr ooo 000000 00ggg 00ggg' },
  { name: 'FP <-> fixed point', pattern: 's 0 0 11110 tt 0 rr ooo 1fffff 00ggg 00ggg' },
  // Narrower templates: mostly allocated encodings.
  { name: 'FP 1-source (S/D)', pattern: '000 11110 0t 1 00oooo 10000 nnnnn ddddd' },
  { name: 'FCVT (H/S/D)', pattern: '000 11110 tt 1 0001oo 10000 nnnnn ddddd' },
  { name: 'FP 2-source (S/D)', pattern: '000 11110 0t 1 mmmmm 0ooo 10 nnnnn ddddd' },
  { name: 'FP 3-source (S/D)', pattern: '000 11111 0t o mmmmm o aaaaa nnnnn ddddd' },
  { name: 'FCVT* to integer (S/D)', pattern: 's 0 0 11110 0t 1 rr 00o 000000 00ggg 00ggg' },
  { name: 'SCVTF/UCVTF, FCVTA* (S/D)', pattern: 's 0 0 11110 0t 1 00 o1o 000000 00ggg 00ggg' },
  { name: 'fixed point, 64-bit (S/D)', pattern: '1 0 0 11110 0t 0 rr 0oo ffffff 00ggg 00ggg' },
  { name: 'FP vector arithmetic (S/D)', pattern: '0 Q U 01110 a s 1 mmmmm 11 ooo 1 nnnnn ddddd' },
  { name: 'FP vector conversions and rounding', pattern: '0 Q U 01110 a s 10000 11 ooo 10 nnnnn ddddd' },
];
