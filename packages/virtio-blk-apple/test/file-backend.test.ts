import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlockBackend } from '@vmapple/core-bus';
import { FileBlockBackend } from '@vmapple/core-bus/node';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtioBlkPci } from '../src/index.js';
import { BlkTestBench, randomBytes, S, T } from './blk-driver.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('with a file image (FileBlockBackend)', () => {
  it('reads the file, and a written and flushed sector is in the file afterwards', () => {
    dir = mkdtempSync(join(tmpdir(), 'virtio-blk-file-'));
    const path = join(dir, 'disk.img');
    const image = randomBytes(256 * 1024, 5);
    writeFileSync(path, image);
    const backend = new FileBlockBackend(path);
    const t = new BlkTestBench(backend).start();
    const r = t.run(T.IN, 3, { inLen: 1024 });
    expect(r.status).toBe(S.OK);
    expect(Buffer.compare(Buffer.from(t.dataIn(r.req)), Buffer.from(image.subarray(1536, 2560)))).toBe(0);
    const data = randomBytes(512, 9);
    expect(t.run(T.OUT, 10, { out: data }).status).toBe(S.OK);
    expect(t.run(T.FLUSH, 0).status).toBe(S.OK);
    expect(t.run(T.APPLE_BARRIER, 0).status).toBe(S.OK);
    const after = readFileSync(path);
    expect(Buffer.compare(after.subarray(5120, 5632), Buffer.from(data))).toBe(0);
    expect(Buffer.compare(after.subarray(0, 5120), Buffer.from(image.subarray(0, 5120)))).toBe(0);
  });

  it('a read-only file refuses writes and stays unchanged', () => {
    dir = mkdtempSync(join(tmpdir(), 'virtio-blk-file-'));
    const path = join(dir, 'disk.img');
    const image = randomBytes(64 * 1024, 6);
    writeFileSync(path, image);
    const t = new BlkTestBench(new FileBlockBackend(path, true)).start();
    expect(t.run(T.OUT, 0, { out: new Uint8Array(512) }).status).toBe(S.IOERR);
    expect(Buffer.compare(readFileSync(path), Buffer.from(image))).toBe(0);
  });
});

describe('snapshots', () => {
  it('a disk restored mid-stream carries on with the same ring', () => {
    const backend = new MemoryBlockBackend(randomBytes(64 * 1024, 8));
    const t = new BlkTestBench(backend).start();
    expect(t.run(T.IN, 1, { inLen: 512 }).status).toBe(S.OK);
    const state = JSON.parse(JSON.stringify(t.fn.saveState()));
    // A fresh device on the same RAM and disk takes over.
    const fn2 = new VirtioBlkPci({ backend, variant: 'root' });
    fn2.attach({ memory: t.pciMem, dma: t.g.mem, setIntx: () => {} });
    t.fn.detach();
    fn2.restoreState(state);
    const r = t.add(T.IN, 2, { inLen: 512 });
    t.kick();
    expect(t.ring.takeUsed()).toEqual([{ id: r.head, len: 513 }]);
    expect(t.status(r)).toBe(S.OK);
    expect(Buffer.compare(Buffer.from(t.dataIn(r)), Buffer.from(backend.bytes.subarray(1024, 1536)))).toBe(0);
  });
});
