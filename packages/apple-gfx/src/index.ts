// Public API of @vmapple/apple-gfx.
export {};
