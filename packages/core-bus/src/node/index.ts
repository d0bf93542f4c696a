// @vmapple/core-bus/node: host adapters that need Node.js.
export { FileBlockBackend } from './file-block-backend.js';
