import { describe, expect, it } from 'vitest';
import { bundleVersionOf } from './client';

describe('bundleVersionOf', () => {
  it('reads the version of a strong or a weak (gzip-encoded) ETag', () => {
    expect(bundleVersionOf('"7"')).toBe(7);
    expect(bundleVersionOf('W/"12"')).toBe(12);
    expect(bundleVersionOf(null)).toBeNull();
    expect(bundleVersionOf('"x"')).toBeNull();
    expect(bundleVersionOf('w/"7"')).toBeNull();
  });
});
