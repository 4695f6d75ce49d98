import { describe, expect, it } from 'vitest';
import express from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { appKind, fastifyMajor, type FastifyLike } from '../../../src/server/app-kind.js';

describe('appKind', () => {
  it('tells Express, Fastify and request listeners apart by shape', async () => {
    const f5 = Fastify();
    const f4 = Fastify4();
    expect(appKind(express())).toBe('express');
    expect(appKind(express4())).toBe('express');
    expect(appKind(f5)).toBe('fastify');
    expect(appKind(f4)).toBe('fastify');
    expect(appKind(() => undefined)).toBe('node');
    expect(fastifyMajor(f5 as unknown as FastifyLike)).toBe(5);
    expect(fastifyMajor(f4 as unknown as FastifyLike)).toBe(4);
    await Promise.all([f5.close(), f4.close()]);
  });

  it('refuses anything else with a TypeError', () => {
    expect(() => appKind({})).toThrow(TypeError);
    expect(() => appKind(undefined)).toThrow(/Express app, a Fastify instance or a \(req, res\) request listener/);
  });
});
