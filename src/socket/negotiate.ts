/**
 * Serializer negotiation, by the client's `vsn` param (missing means 1.0.0;
 * any 1.0.x or 2.0.x is accepted). LongPoll carries text only, which both
 * versions' JSON forms are.
 */

import type { TransportName } from '../wire/connection.ts'
import { type Serializer, serializerForVsn } from '../wire/serializer.ts'

/** The serializer for `vsn`, or undefined when this server does not speak it (answer 403). */
export function serializerFor(vsn: string, _transport: TransportName): Serializer | undefined {
  return serializerForVsn(vsn) ?? undefined
}
