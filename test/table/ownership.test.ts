// Ownership: access checked against the calling process, the table deleted
// when its owner stops, heirs, giveAway, and the "outside" caller.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type Behaviour,
  call as callProcess,
  noreply,
  type Pid,
  reply,
  spawn,
  stopProcess,
} from '../../src/process/index.ts'
import {
  createTable,
  type Table,
  type TableOptions,
  type TableTransfer,
  whereisTable,
} from '../../src/table/index.ts'

type Rec = [string, number]
type Outcome = { ok: true; value: unknown } | { ok: false; code: unknown }

interface Holder {
  table: Table<Rec> | undefined
  inbox: unknown[]
}

/**
 * A process that may create a table in init, runs functions sent by `call`
 * inside itself (reporting errors instead of crashing), and keeps its info messages.
 */
const holder: Behaviour<Holder, TableOptions | undefined> = {
  init: (options) => ({
    table: options === undefined ? undefined : createTable<Rec>(options),
    inbox: [],
  }),
  async handleCall(request, _from, state) {
    const fn = request as (s: Holder) => unknown
    try {
      await Promise.resolve() // run after an await too: the caller is still this process
      return reply({ ok: true, value: fn(state) } satisfies Outcome, state)
    } catch (err) {
      return reply({ ok: false, code: (err as { code?: unknown }).code } satisfies Outcome, state)
    }
  },
  handleInfo(message, state) {
    state.inbox.push(message)
    return noreply(state)
  },
}

function inside(pid: Pid, fn: (s: Holder) => unknown): Promise<Outcome> {
  return callProcess<Outcome>(pid, fn)
}

async function ownerWith(options: TableOptions): Promise<{ pid: Pid; table: Table<Rec> }> {
  const pid = await spawn(holder, options)
  const got = await inside(pid, (s) => s.table)
  assert.ok(got.ok)
  return { pid, table: got.value as Table<Rec> }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
const denied = { code: 'CINDER_ERR_TABLE_ACCESS' }

describe('access', () => {
  test('protected (the default): everyone reads, only the owner writes', async () => {
    const { pid, table } = await ownerWith({})
    const other = await spawn(holder, undefined)
    assert.deepEqual(await inside(pid, () => table.insert(['a', 1])), {
      ok: true,
      value: undefined,
    })
    assert.deepEqual(table.get('a'), ['a', 1], 'the outside may read')
    assert.deepEqual(await inside(other, () => table.lookup('a')), { ok: true, value: [['a', 1]] })
    assert.throws(() => table.insert(['b', 2]), {
      ...denied,
      message: /only its owner may write it .*called from outside any process/,
    })
    assert.deepEqual(await inside(other, () => table.delete('a')), {
      ok: false,
      code: 'CINDER_ERR_TABLE_ACCESS',
    })
    assert.deepEqual(await inside(other, () => table.updateCounter('a', 1)), {
      ok: false,
      code: 'CINDER_ERR_TABLE_ACCESS',
    })
    await stopProcess(pid)
    await stopProcess(other)
  })

  test('private: only the owner reads or writes', async () => {
    const { pid, table } = await ownerWith({ access: 'private' })
    const other = await spawn(holder, undefined)
    assert.deepEqual(await inside(pid, () => table.insert(['a', 1])), {
      ok: true,
      value: undefined,
    })
    assert.deepEqual(await inside(pid, () => table.toList()), { ok: true, value: [['a', 1]] })
    assert.throws(() => table.get('a'), denied)
    assert.throws(() => table.select({ pattern: ['a', 1] }), denied)
    assert.deepEqual(await inside(other, () => table.member('a')), {
      ok: false,
      code: 'CINDER_ERR_TABLE_ACCESS',
    })
    assert.equal(table.info().size, 1, 'info is open to everyone')
    await stopProcess(pid)
    await stopProcess(other)
  })

  test('public: everyone reads and writes', async () => {
    const { pid, table } = await ownerWith({ access: 'public' })
    const other = await spawn(holder, undefined)
    table.insert(['outside', 1])
    assert.deepEqual(await inside(other, () => table.insert(['other', 2])), {
      ok: true,
      value: undefined,
    })
    assert.equal(table.size, 2)
    await stopProcess(pid)
    await stopProcess(other)
  })

  test('a table created outside any process is owned by the outside: processes are not its owner', async () => {
    const table = createTable<Rec>()
    table.insert(['a', 1])
    const other = await spawn(holder, undefined)
    assert.deepEqual(await inside(other, () => table.get('a')), { ok: true, value: ['a', 1] })
    assert.deepEqual(await inside(other, () => table.insert(['b', 1])), {
      ok: false,
      code: 'CINDER_ERR_TABLE_ACCESS',
    })
    await stopProcess(other)
    assert.equal(table.alive, true, 'it lives until dropped')
    table.drop()
  })
})

describe('owner stop and heirs', () => {
  test('the table is deleted when its owner stops without an heir; its name is freed', async () => {
    const { pid, table } = await ownerWith({ name: 'ownership-no-heir' })
    assert.equal(whereisTable('ownership-no-heir'), table)
    await stopProcess(pid)
    assert.equal(table.alive, false)
    assert.throws(() => table.get('a'), { code: 'CINDER_ERR_TABLE_DELETED' })
    assert.equal(whereisTable('ownership-no-heir'), undefined)
  })

  test('a crash deletes the table too', async () => {
    const { pid, table } = await ownerWith({})
    await stopProcess(pid, new Error('boom'))
    assert.equal(table.alive, false)
  })

  test('a live heir inherits the table and gets a TABLE-TRANSFER message', async () => {
    const heir = await spawn(holder, undefined)
    const { pid, table } = await ownerWith({ heir, heirData: 'for you' })
    await inside(pid, () => table.insert(['kept', 1]))
    await stopProcess(pid)
    await settle()
    assert.equal(table.alive, true)
    assert.equal(table.info().owner, heir)
    assert.equal(table.info().heir, undefined, 'an heir inherits once')
    const got = await inside(heir, (s) => s.inbox)
    assert.ok(got.ok)
    const inbox = got.value as unknown[]
    assert.equal(inbox.length, 1)
    const msg = inbox[0] as TableTransfer<Rec>
    assert.equal(msg.type, 'TABLE-TRANSFER')
    assert.equal(msg.table, table)
    assert.equal(msg.from, pid)
    assert.equal(msg.data, 'for you')
    assert.deepEqual(await inside(heir, () => table.updateCounter('kept', 1)), {
      ok: true,
      value: 2,
    })
    assert.throws(() => table.insert(['x', 1]), denied)
    await stopProcess(heir)
    assert.equal(table.alive, false, 'the heir stopped without an heir of its own')
  })

  test('a dead heir inherits nothing: the table is deleted', async () => {
    const heir = await spawn(holder, undefined)
    const { pid, table } = await ownerWith({ heir })
    await stopProcess(heir)
    await stopProcess(pid)
    assert.equal(table.alive, false)
  })

  test('setHeir and giveAway are for the owner; giveAway moves ownership at once', async () => {
    const { pid, table } = await ownerWith({})
    const next = await spawn(holder, undefined)
    assert.throws(() => table.setHeir(next), denied)
    assert.throws(() => table.giveAway(next), denied)
    assert.deepEqual(await inside(pid, () => table.giveAway(next, 42)), {
      ok: true,
      value: undefined,
    })
    assert.equal(table.info().owner, next)
    assert.deepEqual(await inside(pid, () => table.insert(['a', 1])), {
      ok: false,
      code: 'CINDER_ERR_TABLE_ACCESS',
    })
    await stopProcess(pid)
    assert.equal(table.alive, true, 'the old owner stopping no longer matters')
    const inbox = await inside(next, (s) => s.inbox)
    assert.deepEqual(
      (inbox as { value: TableTransfer[] }).value.map((m) => [m.type, m.from, m.data]),
      [['TABLE-TRANSFER', pid, 42]],
    )
    assert.deepEqual(await inside(next, () => table.giveAway(next)), {
      ok: false,
      code: 'CINDER_ERR_TABLE_BAD_ARG',
    })
    await stopProcess(next)
    assert.equal(table.alive, false)
  })
})
