import { describe, expect, it } from 'vitest';
import { isInsideWorkspace } from './open-folder.js';

describe('isInsideWorkspace', () => {
  it('is true only for a folder strictly below the root, whatever the trailing slashes', () => {
    expect(isInsideWorkspace('/home/me/app/src', '/home/me/app')).toBe(true);
    expect(isInsideWorkspace('/home/me/app/src/', '/home/me/app/')).toBe(true);
    expect(isInsideWorkspace('/home/me/app', '/home/me/app')).toBe(false);
    expect(isInsideWorkspace('/home/me/app/', '/home/me/app')).toBe(false);
    expect(isInsideWorkspace('/home/me/apple', '/home/me/app')).toBe(false);
    expect(isInsideWorkspace('C:\\work\\app\\src', 'C:\\work\\app')).toBe(true);
  });
});
