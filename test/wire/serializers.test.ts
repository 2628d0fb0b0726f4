import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import type { Broadcast, Message, Reply } from '../../src/wire/message.ts'
import { serializerForVsn, v1Json, v2Json } from '../../src/wire/serializer.ts'

const hex = (b: string | Uint8Array) => Buffer.from(b as Uint8Array).toString('hex')
const bytes = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex')
const toArrayBuffer = (b: Uint8Array) =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer

// The official client's serializer (phoenix@1.8.16), the other end of every frame.
// The package ships no types: describe the two methods used here.
interface ClientSerializerApi {
  encode(message: ClientMessage, callback: (frame: string | ArrayBuffer) => void): void
  decode(raw: string | ArrayBuffer, callback: (message: ClientMessage) => void): void
}
const phoenixClient: string = 'phoenix'
const { Serializer: ClientSerializer } = (await import(phoenixClient)) as {
  Serializer: ClientSerializerApi
}

interface ClientMessage {
  join_ref: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}

/** What the official client makes of a frame we send. */
function clientDecode(frame: string | Uint8Array): ClientMessage {
  let out: ClientMessage | undefined
  const raw = typeof frame === 'string' ? frame : toArrayBuffer(frame)
  ClientSerializer.decode(raw, (m) => {
    out = m
  })
  assert.ok(out)
  return out
}

/** The frame the official client sends for a message. */
function clientEncode(m: ClientMessage): string | ArrayBuffer {
  let out: string | ArrayBuffer | undefined
  ClientSerializer.encode(m, (f) => {
    out = f
  })
  assert.ok(out !== undefined)
  return out
}

function assertBadFrame(fn: () => unknown, pattern: RegExp, code = 'CINDER_ERR_BAD_FRAME') {
  assert.throws(
    fn,
    (err: unknown) => err instanceof CinderError && err.code === code && pattern.test(err.message),
  )
}

describe('V2 JSON text frames', () => {
  test('encodes pushes, replies and broadcasts as the protocol doc shows', () => {
    const push: Message = {
      joinRef: '3',
      ref: null,
      topic: 'room:lobby',
      event: 'new_msg',
      payload: { body: 'x' },
    }
    assert.equal(v2Json.encode(push), '["3",null,"room:lobby","new_msg",{"body":"x"}]')
    const reply: Reply = {
      joinRef: '3',
      ref: '3',
      topic: 'room:lobby',
      status: 'ok',
      payload: { hello: 1 },
    }
    assert.equal(
      v2Json.encode(reply),
      '["3","3","room:lobby","phx_reply",{"status":"ok","response":{"hello":1}}]',
    )
    assert.equal(v2Json.encodeReply(reply), v2Json.encode(reply))
    const heartbeat: Reply = {
      joinRef: null,
      ref: '6',
      topic: 'phoenix',
      status: 'ok',
      payload: {},
    }
    assert.equal(
      v2Json.encode(heartbeat),
      '[null,"6","phoenix","phx_reply",{"status":"ok","response":{}}]',
    )
    const broadcast: Broadcast = { topic: 'room:lobby', event: 'new_msg', payload: { body: 'x' } }
    assert.equal(v2Json.fastlane(broadcast), '[null,null,"room:lobby","new_msg",{"body":"x"}]')
  })

  test('decodes what the client sends', () => {
    assert.deepEqual(v2Json.decode('["3","3","room:lobby","phx_join",{"p":1}]'), {
      joinRef: '3',
      ref: '3',
      topic: 'room:lobby',
      event: 'phx_join',
      payload: { p: 1 },
    })
    assert.deepEqual(
      v2Json.decode(Buffer.from('[null,"6","phoenix","heartbeat",{}]'), { binary: false }),
      {
        joinRef: null,
        ref: '6',
        topic: 'phoenix',
        event: 'heartbeat',
        payload: {},
      },
    )
    // Like Phoenix, extra trailing elements are ignored.
    assert.equal(v2Json.decode('[null,"1","t","e",{},"extra"]').ref, '1')
  })

  test('refuses malformed text frames with a clear CinderError', () => {
    assertBadFrame(() => v2Json.decode('not json'), /JSON text frame/)
    assertBadFrame(() => v2Json.decode('{"a":1}'), /JSON array/)
    assertBadFrame(() => v2Json.decode('[null,"1","t","e"]'), /JSON array/)
    assertBadFrame(
      () => v2Json.decode('[1,"1","t","e",{}]'),
      /join_ref to be a string or null, got 1/,
    )
    assertBadFrame(() => v2Json.decode('[null,2,"t","e",{}]'), /ref to be a string or null/)
    assertBadFrame(() => v2Json.decode('[null,"1",null,"e",{}]'), /topic to be a string/)
    assertBadFrame(() => v2Json.decode('[null,"1","t",7,{}]'), /event to be a string/)
    for (const payload of ['[]', 'null', '"s"', '3']) {
      assertBadFrame(
        () => v2Json.decode(`[null,"1","t","e",${payload}]`),
        /payload to be a JSON object/,
      )
    }
  })
})

describe('V2 binary frames', () => {
  test('decodes the observed client push bytes (protocol doc §2.3)', () => {
    const frame = bytes('00 01 01 0a 03 33 35 72 6f 6f 6d 3a 6c 6f 62 62 79 62 69 6e de ad')
    const message = v2Json.decode(frame)
    assert.equal(message.joinRef, '3')
    assert.equal(message.ref, '5')
    assert.equal(message.topic, 'room:lobby')
    assert.equal(message.event, 'bin')
    assert.equal(hex(message.payload as Uint8Array), 'dead')
  })

  test('encodes kind 0 (4-byte header), kind 1 and kind 2 byte for byte', () => {
    const payload = Uint8Array.from([0xde, 0xad])
    const push = v2Json.encode({
      joinRef: '3',
      ref: null,
      topic: 'room:lobby',
      event: 'bin',
      payload,
    })
    assert.equal(
      hex(push),
      `00 01 0a 03 33 ${hex('room:lobby')} ${hex('bin')} dead`.replace(/ /g, ''),
    )
    const reply = v2Json.encode({
      joinRef: '3',
      ref: '5',
      topic: 'room:lobby',
      status: 'ok',
      payload,
    })
    assert.equal(
      hex(reply),
      `01 01 01 0a 02 33 35 ${hex('room:lobby')} ${hex('ok')} dead`.replace(/ /g, ''),
    )
    const broadcast = v2Json.fastlane({ topic: 'room:lobby', event: 'bin', payload })
    assert.equal(
      hex(broadcast),
      `02 0a 03 ${hex('room:lobby')} ${hex('bin')} dead`.replace(/ /g, ''),
    )
    const noRefs = v2Json.encode({ joinRef: null, ref: null, topic: 't', status: 'ok', payload })
    assert.equal(hex(noRefs), `01 00 00 01 02 74 ${hex('ok')} dead`.replace(/ /g, ''))
  })

  test('a field over 255 bytes is refused on encode and cannot be decoded as shorter', () => {
    const long = 'é'.repeat(128) // 256 bytes of UTF-8
    const payload = new Uint8Array(1)
    assertBadFrame(
      () => v2Json.fastlane({ topic: long, event: 'e', payload }),
      /topic to be at most 255 bytes.*256/,
      'CINDER_ERR_FIELD_TOO_LONG',
    )
    assertBadFrame(
      () => v2Json.encode({ joinRef: '1', ref: '1', topic: 't', status: long, payload }),
      /status/,
      'CINDER_ERR_FIELD_TOO_LONG',
    )
    const max = 'x'.repeat(255)
    const frame = v2Json.fastlane({ topic: max, event: max, payload })
    assert.equal(clientDecode(frame).topic, max)
  })

  test('refuses malformed binary frames', () => {
    assertBadFrame(() => v2Json.decode(bytes('')), /5-byte header, got 0/)
    assertBadFrame(() => v2Json.decode(bytes('00 01 01')), /5-byte header/)
    assertBadFrame(() => v2Json.decode(bytes('07 00 00 00 00')), /unknown binary frame kind 7/)
    assertBadFrame(() => v2Json.decode(bytes('01 00 00 00 00')), /sent by servers/)
    assertBadFrame(
      () => v2Json.decode(bytes('00 01 01 05 01 33 35 72')),
      /topic ends at byte 12, frame has 8/,
    )
    assertBadFrame(() => v2Json.decode(bytes('00 00 00 01 01 ff 65')), /topic .*UTF-8/)
    assertBadFrame(() => v2Json.decode('[]', { binary: true }), /expected bytes/)
  })

  test('empty refs decode as null; the payload is a view of the frame', () => {
    const frame = bytes('00 00 00 01 01 74 65 01 02')
    const m = v2Json.decode(frame)
    assert.equal(m.joinRef, null)
    assert.equal(m.ref, null)
    assert.equal((m.payload as Buffer).buffer, frame.buffer)
  })
})

describe('against the official phoenix client serializer', () => {
  const field = fc
    .string({ unit: 'grapheme', maxLength: 20 })
    .filter((s) => Buffer.byteLength(s) <= 255)
  const ref = fc.option(fc.integer({ min: 0, max: 10 ** 9 }).map(String), { nil: null })
  const object = fc.dictionary(fc.string(), fc.jsonValue())

  test('text frames the client encodes decode to the same message', () => {
    fc.assert(
      fc.property(ref, ref, field, field, object, (join_ref, r, topic, event, payload) => {
        const frame = clientEncode({ join_ref, ref: r, topic, event, payload })
        assert.deepEqual(v2Json.decode(frame as string), {
          joinRef: join_ref,
          ref: r,
          topic,
          event,
          payload: JSON.parse(JSON.stringify(payload)),
        })
      }),
    )
  })

  test('binary frames the client encodes decode to the same message', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1 }).map(String),
        ref,
        field,
        field,
        fc.uint8Array(),
        (join_ref, r, topic, event, data) => {
          // The client writes a null ref as "null" (TextEncoder of null); real pushes always have refs.
          fc.pre(r !== null)
          const frame = clientEncode({
            join_ref,
            ref: r,
            topic,
            event,
            payload: toArrayBuffer(data),
          })
          const m = v2Json.decode(new Uint8Array(frame as ArrayBuffer))
          assert.deepEqual(
            { ...m, payload: new Uint8Array(m.payload as Uint8Array) },
            {
              joinRef: join_ref,
              ref: r,
              topic,
              event,
              payload: data,
            },
          )
        },
      ),
    )
  })

  test('every frame we encode reads back in the client as the same message', () => {
    fc.assert(
      fc.property(
        ref,
        ref,
        field,
        field,
        fc.oneof(object, fc.uint8Array()),
        (joinRef, r, topic, event, payload) => {
          const binary = payload instanceof Uint8Array
          const asClient = (p: unknown) => (p instanceof ArrayBuffer ? new Uint8Array(p) : p)
          const push = clientDecode(v2Json.encode({ joinRef, ref: r, topic, event, payload }))
          assert.deepEqual(
            { ...push, payload: asClient(push.payload) },
            {
              join_ref: binary ? (joinRef ?? '') : joinRef,
              ref: binary ? null : r, // binary pushes carry no ref
              topic,
              event,
              payload: binary ? payload : JSON.parse(JSON.stringify(payload)),
            },
          )
          const reply = clientDecode(
            v2Json.encode({ joinRef, ref: r, topic, status: event, payload }),
          )
          const response = (reply.payload as { response: unknown }).response
          assert.equal(reply.event, 'phx_reply')
          assert.equal((reply.payload as { status: string }).status, event)
          assert.deepEqual(
            asClient(response),
            binary ? payload : JSON.parse(JSON.stringify(payload)),
          )
          assert.equal(reply.ref, binary ? (r ?? '') : r)
          const broadcast = clientDecode(v2Json.fastlane({ topic, event, payload }))
          assert.deepEqual(
            [
              broadcast.join_ref,
              broadcast.ref,
              broadcast.topic,
              broadcast.event,
              asClient(broadcast.payload),
            ],
            [null, null, topic, event, binary ? payload : JSON.parse(JSON.stringify(payload))],
          )
        },
      ),
    )
  })
})

describe('V1 JSON', () => {
  test('encodes objects without join_ref', () => {
    const reply = JSON.parse(
      v1Json.encode({
        joinRef: '1',
        ref: '2',
        topic: 't',
        status: 'ok',
        payload: { a: 1 },
      }) as string,
    )
    assert.deepEqual(reply, {
      topic: 't',
      event: 'phx_reply',
      payload: { status: 'ok', response: { a: 1 } },
      ref: '2',
    })
    const push = JSON.parse(
      v1Json.encode({ joinRef: '1', ref: null, topic: 't', event: 'e', payload: {} }) as string,
    )
    assert.deepEqual(push, { topic: 't', event: 'e', payload: {}, ref: null })
    assert.deepEqual(
      JSON.parse(v1Json.fastlane({ topic: 't', event: 'e', payload: { x: 1 } }) as string),
      {
        topic: 't',
        event: 'e',
        payload: { x: 1 },
        ref: null,
      },
    )
  })

  test('decodes objects; join_ref is optional (a join uses its ref)', () => {
    assert.deepEqual(v1Json.decode('{"topic":"t","event":"phx_join","payload":{},"ref":"4"}'), {
      joinRef: '4',
      ref: '4',
      topic: 't',
      event: 'phx_join',
      payload: {},
    })
    assert.equal(v1Json.decode('{"topic":"t","event":"e","payload":{},"ref":null}').joinRef, null)
    assert.equal(
      v1Json.decode('{"topic":"t","event":"e","payload":{},"ref":"5","join_ref":"4"}').joinRef,
      '4',
    )
    assert.equal(
      v1Json.decode(Buffer.from('{"topic":"t","event":"e","payload":{},"ref":"1"}')).ref,
      '1',
    )
  })

  test('refuses malformed V1 frames and binary payloads', () => {
    assertBadFrame(() => v1Json.decode('{"topic":"t","event":"e","payload":{}}'), /"ref" key/)
    assertBadFrame(() => v1Json.decode('["1","1","t","e",{}]'), /JSON object/)
    assertBadFrame(
      () => v1Json.decode('{"topic":"t","event":"e","payload":[],"ref":null}'),
      /payload/,
    )
    assertBadFrame(() => v1Json.decode(Buffer.from([0, 0, 0, 0, 0]), { binary: true }), /no binary/)
    assertBadFrame(
      () => v1Json.fastlane({ topic: 't', event: 'e', payload: new Uint8Array(1) }),
      /V1 serializer has no binary/,
      'CINDER_ERR_UNENCODABLE',
    )
  })
})

describe('serializerForVsn', () => {
  test('negotiates like Phoenix: missing is 1.0.0, ~> 1.0.0 and ~> 2.0.0 match', () => {
    assert.equal(serializerForVsn(), v1Json)
    assert.equal(serializerForVsn(undefined), v1Json)
    assert.equal(serializerForVsn('1.0.0'), v1Json)
    assert.equal(serializerForVsn('1.0.7'), v1Json)
    assert.equal(serializerForVsn('2.0.0'), v2Json)
    assert.equal(serializerForVsn('2.0.12+build.1'), v2Json)
    for (const bad of [
      '',
      '2',
      '2.0',
      '2.1.0',
      '3.0.0',
      '9.0.0',
      '1.1.0',
      '0.0.1',
      '2.0.0-rc.1',
      '02.0.0',
      ' 2.0.0',
    ]) {
      assert.equal(serializerForVsn(bad), null, bad)
    }
  })
})

describe('fuzz', () => {
  test('decode of random strings and bytes throws nothing but CinderError', () => {
    const check = (fn: () => unknown) => {
      try {
        fn()
      } catch (err) {
        assert.ok(err instanceof CinderError, String(err))
        assert.ok(err.code === 'CINDER_ERR_BAD_FRAME')
      }
    }
    const jsonish = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(fc.jsonValue(), { maxLength: 7 }).map((a) => JSON.stringify(a)),
    )
    fc.assert(
      fc.property(jsonish, fc.uint8Array({ maxLength: 64 }), (text, raw) => {
        for (const s of [v1Json, v2Json]) {
          check(() => s.decode(text))
          check(() => s.decode(raw))
          check(() => s.decode(raw, { binary: false }))
        }
      }),
      { numRuns: 2000 },
    )
  })
})
