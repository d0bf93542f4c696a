// Public API of @vmapple/vmapple-bdif.
export {};
