import { describe, expect, it } from 'vitest';
import { requestPath } from '../../../src/identity/request-path.js';

describe('requestPath', () => {
  it('returns the target itself when nothing needs decoding, query included (matchers stop at ?)', () => {
    const target = '/api/orders?x=../..';
    expect(requestPath(target)).toBe(target);
  });

  it('decodes percent-encoded unreserved characters, so /adm%69n is /admin', () => {
    expect(requestPath('/adm%69n/users?q=%2F')).toBe('/admin/users');
    expect(requestPath('/a%20b')).toBe('/a%20b');
  });

  it.each([
    ['a dot-dot segment', '/api/../admin'],
    ['a trailing dot-dot', '/api/..'],
    ['a dot segment', '/api/./x'],
    ['an encoded dot-dot', '/api/%2e%2E/admin'],
    ['an encoded slash', '/api%2Fadmin'],
    ['an encoded backslash', '/api%5cadmin'],
    ['a backslash', '/api\\..\\admin'],
    ['an empty segment', '/api//admin'],
    ['a leading double slash', '//admin'],
    ['a malformed escape', '/api/%zz'],
    ['a truncated escape', '/api/%4'],
    ['an absolute-form target', 'http://x/admin'],
    ['an asterisk target', '*'],
  ])('refuses %s', (_name, target) => {
    expect(requestPath(target)).toBeUndefined();
  });

  it('keeps a trailing slash and dots inside names', () => {
    expect(requestPath('/api/')).toBe('/api/');
    expect(requestPath('/a/.well-known/x..y')).toBe('/a/.well-known/x..y');
  });
});
