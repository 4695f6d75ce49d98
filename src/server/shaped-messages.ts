import { IncomingMessage, ServerResponse } from 'node:http';

/** Where the inbound stack keeps a response's exchange. */
export const kExchange = Symbol('inmesh.exchange');

/**
 * node:http's request and response with the properties the inbound stack sets on every request
 * (`req.mesh`, the response's exchange) declared up front. Added later, each would move the
 * object to a new hidden class, and every place in Node's HTTP code (and the framework's) that
 * sees both shapes would pay for a polymorphic property lookup.
 */
export class ShapedIncomingMessage extends IncomingMessage {
  mesh: unknown = undefined;
}

export class ShapedServerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  [kExchange]: unknown = undefined;
}
