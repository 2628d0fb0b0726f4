import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderTemplate } from '../../src/cli/template.ts'

const values = { vars: { app: 'demo', title: 'Demo' }, flags: { presence: true, live: false } }

test('placeholders are replaced, blocks kept or dropped by their flag, and nest', () => {
  const text = [
    'name: <%= app %> (<%= title %>)',
    '<% if presence %>',
    'presence',
    '  <% unless live %>',
    'no live',
    '  <% end %>',
    '<% end %>',
    '<% if live %>',
    'live',
    '<% if presence %>',
    'both',
    '<% end %>',
    '<% end %>',
    'end',
  ].join('\n')
  assert.equal(renderTemplate(text, values, 't'), 'name: demo (Demo)\npresence\nno live\nend')
})

test('an inline block keeps its text when the flag says so', () => {
  const text = "import { a<% if presence %>, b<% end %><% if live %>, c<% end %> } from 'x'"
  assert.equal(renderTemplate(text, values, 't'), "import { a, b } from 'x'")
})

test('an unknown placeholder or flag, a stray end or an open block is an error', () => {
  const cases: Array<[string, RegExp]> = [
    ['<%= nope %>', /t:1: no value for <%= nope %>/],
    ['<% if nope %>\nx\n<% end %>', /t:1: no flag named nope/],
    ['x\n<% end %>', /t:2: <% end %> closes no block/],
    ['<% if live %>\nx', /t: 1 block\(s\) left open/],
    ['a <% if live %> b', /t:1: a tag left open/],
  ]
  for (const [text, message] of cases) {
    assert.throws(() => renderTemplate(text, values, 't'), {
      code: 'CINDER_ERR_CLI_TEMPLATE',
      message,
    })
  }
})
