// Public API of @vmapple/pl031.
export {};
