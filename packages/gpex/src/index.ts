// Public API of @vmapple/gpex.
export {};
