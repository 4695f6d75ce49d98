import { describe, expect, it } from 'vitest';
import { constants as h2 } from 'node:http2';
import { responseDelivered } from '../../../src/server/response-delivered.js';
import type { InboundResponse } from '../../../src/server/inbound-exchange.js';

const h1 = (writableFinished: boolean) => ({ writableFinished, writableEnded: true }) as unknown as InboundResponse;
const h2res = (writableEnded: boolean, rstCode: number) => ({ writableFinished: true, writableEnded, stream: { rstCode } }) as unknown as InboundResponse;

describe('responseDelivered', () => {
  it('HTTP/1.1: when the response finished writing', () => {
    expect([responseDelivered(h1(true)), responseDelivered(h1(false))]).toEqual([true, false]);
  });

  it('HTTP/2: only an ended response whose stream closed with NO_ERROR (Node says finished for a reset one too)', () => {
    expect(responseDelivered(h2res(true, h2.NGHTTP2_NO_ERROR))).toBe(true);
    expect(responseDelivered(h2res(true, h2.NGHTTP2_CANCEL))).toBe(false); // ended, then the client reset it
    expect(responseDelivered(h2res(false, h2.NGHTTP2_CANCEL))).toBe(false); // RST_STREAM or the connection closed
    expect(responseDelivered(h2res(false, h2.NGHTTP2_NO_ERROR))).toBe(false); // destroyed by the server before its end
  });
});
