/** AdvSIMD load/store single structure: needs guest memory, which the context does not offer yet. */
import type { SimdCtx } from './lanes.js';
export function loadStoreSingle(_c: SimdCtx, _w: number): boolean {
  return false;
}
