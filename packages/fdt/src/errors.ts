/** A device tree that cannot be written or a blob that cannot be read. */
export class FdtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FdtError';
  }
}
