import { describe, expect, it } from 'vitest';
import { parentFolder } from './trust-prompt.js';

describe('parentFolder', () => {
  it('is the folder above a POSIX or Windows root, and null at a filesystem root', () => {
    expect(parentFolder('/home/me/src/app')).toBe('/home/me/src');
    expect(parentFolder('/home/me/src/app/')).toBe('/home/me/src');
    expect(parentFolder('/app')).toBe('/');
    expect(parentFolder('/')).toBeNull();
    expect(parentFolder('C:\\Users\\me\\app')).toBe('C:\\Users\\me');
    expect(parentFolder('C:\\app')).toBe('C:\\');
    expect(parentFolder('C:\\')).toBeNull();
  });
});
