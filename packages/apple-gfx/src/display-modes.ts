import { ConfigError } from '@vmapple/core-bus';

/** One entry of the `display-modes` property (spec §8.2). */
export interface DisplayMode {
  width: number;
  height: number;
  refreshRateHz: number;
}

/** The modes used when the property is empty or absent, in this order (spec §8.1). */
export const DEFAULT_DISPLAY_MODES: readonly DisplayMode[] = Object.freeze([
  { width: 1920, height: 1080, refreshRateHz: 60 },
  { width: 1440, height: 1080, refreshRateHz: 60 },
  { width: 1280, height: 1024, refreshRateHz: 60 },
]);

const FORMAT = "must be 'WIDTHxHEIGHT@RATE' (e.g. \"1920x1080@60\")";

/** `WIDTHxHEIGHT@RATE`, the property's read-back format. */
export function formatDisplayMode(mode: DisplayMode): string {
  return `${mode.width}x${mode.height}@${mode.refreshRateHz}`;
}

function number(device: string, property: string, text: string, part: string, whole: string): number {
  if (!/^[0-9]+$/.test(text)) {
    throw new ConfigError(device, property, `has a ${part} that is not a decimal number in ${JSON.stringify(whole)}`);
  }
  const n = Number(text);
  if (n < 1 || n > 65535) {
    throw new ConfigError(device, property, `has a ${part} that must be 1 to 65535, got ${text} in ${JSON.stringify(whole)}`);
  }
  return n;
}

/** Parses one `WIDTHxHEIGHT@RATE` string; a bad one throws ConfigError naming the wrong part. */
export function parseDisplayMode(text: string, device = 'apple-gfx', property = 'display-modes'): DisplayMode {
  if (typeof text !== 'string') throw new ConfigError(device, property, `entries ${FORMAT}, got ${String(text)}`);
  const m = /^([^x@]*)x([^x@]*)@([^x@]*)$/.exec(text);
  if (!m) throw new ConfigError(device, property, `entries ${FORMAT}, got ${JSON.stringify(text)}`);
  return {
    width: number(device, property, m[1]!, 'width', text),
    height: number(device, property, m[2]!, 'height', text),
    refreshRateHz: number(device, property, m[3]!, 'refresh rate', text),
  };
}

/** The property value: a list of mode strings; empty or absent gives the defaults. */
export function parseDisplayModes(list: readonly string[] | undefined, device = 'apple-gfx', property = 'display-modes'): DisplayMode[] {
  if (list === undefined || list.length === 0) return DEFAULT_DISPLAY_MODES.map((m) => ({ ...m }));
  if (!Array.isArray(list)) throw new ConfigError(device, property, `must be an array of strings, got ${String(list)}`);
  return list.map((s) => parseDisplayMode(s, device, property));
}
