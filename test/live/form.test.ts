// toForm / validateForm / liveInput: fields with names, ids and values, and
// errors shown only once the form has an action and the field is used.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { liveInput, toForm } from '../../src/extend.ts'
import { renderToString } from '../../src/live/index.ts'
import { mountLive } from '../../src/testing/index.ts'
import { SignupLive } from '../support/live-fixtures/signup.ts'

test('a field knows its input; errors show only with an action, for used fields', () => {
  const fresh = toForm({}, { as: 'user', errors: { name: 'is too short' } })
  assert.deepEqual(fresh.field('name'), {
    name: 'user[name]',
    id: 'user_name',
    key: 'name',
    value: undefined,
    errors: [],
    used: false,
  })
  const params = { name: 'Jo', _unused_email: '', email: '' }
  const errors = { name: 'is too short', email: ['is required', 'must have an @'] }
  const changed = toForm(params, { as: 'user', errors, action: 'validate' })
  assert.deepEqual(changed.field('name').errors, ['is too short'])
  assert.deepEqual(changed.field('email').errors, [], 'not used yet')
  const submitted = toForm(params, { as: 'user', errors, action: 'submit' })
  assert.deepEqual(submitted.field('email').errors, ['is required', 'must have an @'])
  assert.equal(submitted.valid, false)
})

test('Standard Schema issues become errors by path; nested forms take their part', () => {
  const issues = [
    { message: 'bad city', path: ['address', { key: 'city' }] },
    { message: 'bad name', path: ['name'] },
  ]
  const form = toForm(
    { name: 'x', address: { city: 'y' } },
    { as: 'user', errors: issues, action: 'submit' },
  )
  assert.deepEqual(form.errors, { 'address.city': ['bad city'], name: ['bad name'] })
  const address = form.nested('address')
  assert.equal(address.field('city').name, 'user[address][city]')
  assert.equal(address.field('city').id, 'user_address_city')
  assert.deepEqual(address.field('city').errors, ['bad city'])
})

test('liveInput renders the input; a checkbox comes with its hidden false', () => {
  const form = toForm({ name: 'A"b', terms: 'true' }, { as: 'user' })
  assert.equal(
    renderToString(liveInput(form.field('name'), { type: 'text' })),
    '<input id="user_name" name="user[name]" value="A&quot;b" type="text">',
  )
  assert.equal(
    renderToString(liveInput(form.field('terms'), { type: 'checkbox' })),
    '<input type="hidden" name="user[terms]" value="false"><input id="user_terms" name="user[terms]" value="true" checked type="checkbox">',
  )
})

test('a view validates with a Standard Schema validator; a valid submit saves', async () => {
  const view = await mountLive(SignupLive)
  assert.equal(view.find('#name-errors')?.innerHtml, '')
  const untouched = { _unused_email: '', email: '', terms: 'false' }
  await view.change('#signup-form', { user: { name: 'Jo', ...untouched } }, 'user[name]')
  assert.equal(view.text('#name-errors'), 'must be at least 3 characters')
  assert.equal(view.text('#email-errors'), '', 'the email is not used yet')
  await view.submit('#signup-form', { user: { name: 'Joe', email: 'nope', terms: 'false' } })
  assert.equal(view.text('#email-errors'), 'must have an @')
  assert.equal(view.text('#terms-errors'), 'must be accepted')
  await view.submit('#signup-form', { user: { name: 'Joe', email: 'j@x.io', terms: 'true' } })
  assert.equal(view.text('#saved'), 'Joe j@x.io')
  assert.equal(view.find('#user_name')?.attributes.value, 'Joe')
  await view.close()
})
