import { ConfigError } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISPLAY_MODES, formatDisplayMode, parseDisplayMode, parseDisplayModes } from '../src/index.js';

const valid = fc.integer({ min: 1, max: 65535 });

describe('display-modes (spec §8.2)', () => {
  it('parses WIDTHxHEIGHT@RATE and reads back the same string', () => {
    fc.assert(
      fc.property(valid, valid, valid, (w, h, r) => {
        const text = `${w}x${h}@${r}`;
        const m = parseDisplayMode(text);
        expect(m).toEqual({ width: w, height: h, refreshRateHz: r });
        expect(formatDisplayMode(m)).toBe(text);
      }),
    );
  });

  it('keeps the list order; empty or absent gives the three defaults of spec §8.1', () => {
    expect(parseDisplayModes(['3840x2160@60', '800x600@75']).map(formatDisplayMode)).toEqual(['3840x2160@60', '800x600@75']);
    const defaults = ['1920x1080@60', '1440x1080@60', '1280x1024@60'];
    expect(parseDisplayModes(undefined).map(formatDisplayMode)).toEqual(defaults);
    expect(parseDisplayModes([]).map(formatDisplayMode)).toEqual(defaults);
    expect(DEFAULT_DISPLAY_MODES.map(formatDisplayMode)).toEqual(defaults);
  });

  it('names the wrong part: width, height or refresh rate (0, > 65535, negative, not a number)', () => {
    const part = fc.constantFrom('width', 'height', 'refresh rate');
    const bad = fc.oneof(
      fc.constant('0'),
      fc.integer({ min: 65536, max: 10_000_000 }).map(String),
      fc.integer({ min: 1, max: 1000 }).map((n) => `-${n}`),
      fc.constantFrom('', 'abc', '1.5', '+60', ' 60', '6e1'),
    );
    fc.assert(
      fc.property(part, bad, (which, value) => {
        const parts = ['1920', '1080', '60'];
        parts[['width', 'height', 'refresh rate'].indexOf(which)] = value;
        const text = `${parts[0]}x${parts[1]}@${parts[2]}`;
        let error: unknown;
        try {
          parseDisplayModes(['1280x1024@60', text], 'apple-gfx-mmio');
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        // A value containing 'x' or '@' breaks the format instead; none of ours do.
        expect(message).toContain(`${which} `);
        expect(message).toContain('apple-gfx-mmio');
        expect(message).toContain('display-modes');
      }),
    );
  });

  it('describes the expected format when a separator is wrong', () => {
    for (const text of ['1920X1080@60', '1920x1080', '1920*1080@60', '1920x1080@60@60', '1920x1080x60', '@60']) {
      expect(() => parseDisplayMode(text), text).toThrow(/WIDTHxHEIGHT@RATE/);
    }
  });
});
