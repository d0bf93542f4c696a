// Public API of @vmapple/fdt.
export {};
