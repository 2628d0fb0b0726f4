/**
 * Serializer throughput: V2 JSON encode/decode against the floor, a bare
 * JSON.stringify / JSON.parse of the same five-element array (what any V2
 * server must do at least). Binary frames are measured against a bare
 * header write/parse without any checks. Rounds alternate so drift hits both sides.
 */
import { v2Json } from '../../src/wire/serializer.ts'

const ROUNDS = 5
const ROUND_MS = 150

interface Case {
  readonly name: string
  readonly cinder: () => unknown
  readonly floor: () => unknown
  readonly floorName: string
}

function opsPerSecond(fn: () => unknown): number {
  let sink: unknown
  let ops = 0
  const end = performance.now() + ROUND_MS
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) sink = fn()
    ops += 1000
  }
  if (sink === Symbol.for('never')) console.log(sink)
  return (ops * 1000) / ROUND_MS
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

/** The least a kind-2 encoder does: no length checks, no dispatch. */
function bareBinaryBroadcast(topic: string, event: string, payload: Uint8Array): Buffer {
  const t = Buffer.byteLength(topic)
  const e = Buffer.byteLength(event)
  const out = Buffer.allocUnsafe(3 + t + e + payload.length)
  out[0] = 2
  out[1] = t
  out[2] = e
  out.write(topic, 3)
  out.write(event, 3 + t)
  out.set(payload, 3 + t + e)
  return out
}

/** The least a kind-0 decoder does: no bounds or UTF-8 checks. */
function bareBinaryDecode(frame: Buffer) {
  const j = frame[1] ?? 0
  const r = frame[2] ?? 0
  const t = frame[3] ?? 0
  const e = frame[4] ?? 0
  const joinRef = frame.toString('utf8', 5, 5 + j)
  const ref = frame.toString('utf8', 5 + j, 5 + j + r)
  const topic = frame.toString('utf8', 5 + j + r, 5 + j + r + t)
  const event = frame.toString('utf8', 5 + j + r + t, 5 + j + r + t + e)
  return { joinRef, ref, topic, event, payload: frame.subarray(5 + j + r + t + e) }
}

function cases(): Case[] {
  const payload = { body: 'hello world', user: { id: 42, name: 'ana' }, tags: ['a', 'b'], n: 1.5 }
  const message = { joinRef: '3', ref: '17', topic: 'room:lobby', event: 'new_msg', payload }
  const array = ['3', '17', 'room:lobby', 'new_msg', payload]
  const text = JSON.stringify(array)
  const bytes = new Uint8Array(256).fill(7)
  const binaryFrame = Buffer.concat([
    Buffer.from([0, 1, 2, 10, 3]),
    Buffer.from('317room:lobbybin'),
    bytes,
  ])
  return [
    {
      name: 'encode push (text)',
      cinder: () => v2Json.encode(message),
      floor: () => JSON.stringify(array),
      floorName: 'JSON.stringify(array)',
    },
    {
      name: 'fastlane broadcast (text)',
      cinder: () => v2Json.fastlane({ topic: 'room:lobby', event: 'new_msg', payload }),
      floor: () => JSON.stringify([null, null, 'room:lobby', 'new_msg', payload]),
      floorName: 'JSON.stringify(array)',
    },
    {
      name: 'decode client push (text)',
      cinder: () => v2Json.decode(text),
      floor: () => JSON.parse(text),
      floorName: 'JSON.parse(text)',
    },
    {
      name: 'encode broadcast (binary, 256 B)',
      cinder: () => v2Json.fastlane({ topic: 'room:lobby', event: 'bin', payload: bytes }),
      floor: () => bareBinaryBroadcast('room:lobby', 'bin', bytes),
      floorName: 'bare header + copy, no checks',
    },
    {
      name: 'decode client push (binary, 256 B)',
      cinder: () => v2Json.decode(binaryFrame),
      floor: () => bareBinaryDecode(binaryFrame),
      floorName: 'bare header parse, no checks',
    },
  ]
}

export async function run(): Promise<string> {
  const rows: string[] = []
  for (const c of cases()) {
    const ours: number[] = []
    const floor: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(opsPerSecond(c.cinder))
      floor.push(opsPerSecond(c.floor))
    }
    const a = median(ours)
    const b = median(floor)
    rows.push(
      `| ${c.name} | ${(a / 1e6).toFixed(2)} M/s | ${c.floorName}: ${(b / 1e6).toFixed(2)} M/s | ${(a / b).toFixed(2)}× |`,
    )
  }
  return [
    '## Serializers (V2 JSON)',
    '',
    `Single thread, one message shape (a 5-field push with a small nested object payload, about 100 bytes of JSON); median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms each. The ratio is Cinder / floor (1.00× = as fast as the floor).`,
    '',
    '| operation | Cinder | floor | ratio |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}
