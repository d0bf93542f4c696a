// @vmapple/vmapple-aes/node: host adapters that need Node.js.
export { NodeCryptoAesBackend } from './node-crypto-backend.js';
