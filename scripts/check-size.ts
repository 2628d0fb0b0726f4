// Lists the files of src/ longer than MAX_FILE_LINES and the functions (declarations,
// methods, function expressions, arrow functions) longer than MAX_FUNCTION_LINES: a braced
// body from its opening to its closing brace, an arrow's expression body from its first
// to its last line.
//
//   node --import tsx scripts/check-size.ts [dir]
//
// The typescript package installed here (7.x, the Go port) has no JS parser (only an
// unstable API that drives the native compiler), so this is a small tokenizer that knows
// strings, template literals (with nested `${}`), regular expressions and comments, plus
// a few rules that tell a function body's `{` from a block's, an object's or a class's:
// it follows `=>`, or a parameter list's `)` (not `if (…)`, `for (…)`, `while (…)`,
// `switch (…)`, `catch (…)`), or a return type annotation after such a `)`. On this
// repository it finds the same functions, first lines and lengths as the compiler's own
// AST; it also counts a function type (`(x: T) => void`) as a function, of one line.
// test/size.test.ts runs it on tricky inputs.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const MAX_FILE_LINES = 600
export const MAX_FUNCTION_LINES = 80

/** A function found in a source text: its name (or a description), first line, length. */
export interface FunctionSpan {
  readonly name: string
  readonly line: number
  readonly lines: number
}

/** One file or function over its limit. */
export interface Offender {
  readonly file: string
  readonly name: string | null
  readonly line: number
  readonly lines: number
}

type Kind = 'id' | 'num' | 'str' | 'tpl' | 'tplh' | 're' | 'p'

interface Token {
  readonly kind: Kind
  readonly text: string
  readonly line: number
  /** The line of its last character (templates and strings may span lines). */
  readonly endLine: number
}

// Keywords after which a `/` starts a regular expression, not a division.
const BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'instanceof',
  'new',
  'delete',
  'void',
  'throw',
  'yield',
  'await',
])
// After these, a `{` opens an object type, not a body: `): value is { stop(): void } {`.
const TYPE_OPERATORS = new Set(['is', 'keyof', 'readonly', '|', '&', '<', ',', '?', ':'])
const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'with'])
// Words that end a backward walk over a return type: they belong to statements.
const STATEMENT = new Set([
  ...[...BEFORE_EXPRESSION].filter((word) => word !== 'void' && word !== 'typeof'),
  ...CONTROL,
  'class',
  'interface',
  'enum',
  'namespace',
  'extends',
  'implements',
  'default',
  'try',
  'finally',
  'static',
  'const',
  'let',
  'var',
  'export',
  'import',
  'type',
])

/** Splits TypeScript source into tokens, dropping whitespace and comments. */
export function tokenize(text: string): Token[] {
  return new Tokenizer(text).run()
}

class Tokenizer {
  private readonly tokens: Token[] = []
  private readonly braces: boolean[] = [] // true: a template's `${`
  private pos = 0
  private line = 1

  private readonly text: string

  constructor(text: string) {
    this.text = text
  }

  run(): Token[] {
    const { text } = this
    while (this.pos < text.length) {
      const c = text[this.pos] as string
      if (c === '\n') this.newline()
      else if (c === ' ' || c === '\t' || c === '\r') this.pos++
      else if (c === '/' && text[this.pos + 1] === '/') this.skipLineComment()
      else if (c === '/' && text[this.pos + 1] === '*') this.skipBlockComment()
      else if (c === "'" || c === '"') this.string(c)
      else if (c === '`') this.template(this.pos + 1)
      else if (c === '/' && this.regexAllowed()) this.regex()
      else if (/[\w$#\u0080-\uffff]/.test(c)) this.word()
      else this.punct(c)
    }
    return this.tokens
  }

  private newline(): void {
    this.line++
    this.pos++
  }

  private push(kind: Kind, start: number, line: number): void {
    this.tokens.push({ kind, text: this.text.slice(start, this.pos), line, endLine: this.line })
  }

  private skipLineComment(): void {
    const end = this.text.indexOf('\n', this.pos)
    this.pos = end === -1 ? this.text.length : end
  }

  private skipBlockComment(): void {
    const end = this.text.indexOf('*/', this.pos + 2)
    this.advanceTo(end === -1 ? this.text.length : end + 2)
  }

  /** Moves to `end`, counting the newlines passed. */
  private advanceTo(end: number): void {
    for (let i = this.pos; i < end; i++) if (this.text[i] === '\n') this.line++
    this.pos = end
  }

  private string(quote: string): void {
    const start = this.pos
    const line = this.line
    let i = start + 1
    while (i < this.text.length && this.text[i] !== quote && this.text[i] !== '\n') {
      i += this.text[i] === '\\' ? 2 : 1
    }
    this.advanceTo(Math.min(i + 1, this.text.length))
    this.push('str', start, line)
  }

  /** Scans template characters from `from` up to the closing backtick or the next `${`. */
  private template(from: number): void {
    const start = this.pos
    const line = this.line
    let i = from
    while (i < this.text.length) {
      const c = this.text[i]
      if (c === '\\') i += 2
      else if (c === '`') break
      else if (c === '$' && this.text[i + 1] === '{') break
      else i++
    }
    const head = this.text[i] === '$'
    this.advanceTo(Math.min(i + (head ? 2 : 1), this.text.length))
    if (head) this.braces.push(true)
    this.push(head ? 'tplh' : 'tpl', start, line)
  }

  private regexAllowed(): boolean {
    const prev = this.tokens[this.tokens.length - 1]
    if (!prev) return true
    if (prev.kind === 'id') return BEFORE_EXPRESSION.has(prev.text)
    if (prev.kind === 'p') return !(prev.text === ')' || prev.text === ']' || prev.text === '}')
    return prev.kind === 'tplh'
  }

  private regex(): void {
    const start = this.pos
    let i = start + 1
    let inClass = false
    while (i < this.text.length && this.text[i] !== '\n') {
      const c = this.text[i]
      if (c === '\\') i++
      else if (c === '[') inClass = true
      else if (c === ']') inClass = false
      else if (c === '/' && !inClass) break
      i++
    }
    i++
    while (i < this.text.length && /\w/.test(this.text[i] as string)) i++
    this.pos = i
    this.push('re', start, this.line)
  }

  private word(): void {
    const start = this.pos
    this.pos++
    while (
      this.pos < this.text.length &&
      /[\w$\u0080-\uffff]/.test(this.text[this.pos] as string)
    ) {
      this.pos++
    }
    this.push(/\d/.test(this.text[start] as string) ? 'num' : 'id', start, this.line)
  }

  private punct(c: string): void {
    const start = this.pos
    if (c === '}' && this.braces.pop() === true) {
      this.template(this.pos + 1) // the end of a `${…}`: the template goes on
      return
    }
    if (c === '{') this.braces.push(false)
    this.pos += c === '=' && this.text[this.pos + 1] === '>' ? 2 : 1
    this.push('p', start, this.line)
  }
}

const OPENERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }

/** For each bracket token, the index of its partner (or -1). */
function matchBrackets(tokens: readonly Token[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1)
  const stack: number[] = []
  tokens.forEach((t, i) => {
    if (t.kind !== 'p') return
    if (t.text === '(' || t.text === '[' || t.text === '{') stack.push(i)
    else if (OPENERS[t.text]) {
      const open = stack.pop()
      if (open === undefined || tokens[open]?.text !== OPENERS[t.text]) return
      match[open] = i
      match[i] = open
    }
  })
  return match
}

/** Every function: braced bodies, and arrows' expression bodies. */
export function functionSpans(text: string): FunctionSpan[] {
  const tokens = tokenize(text)
  const match = matchBrackets(tokens)
  const spans: FunctionSpan[] = []
  tokens.forEach((t, i) => {
    if (t.kind !== 'p') return
    if (t.text === '=>' && !isPunct(tokens[i + 1], '{') && i + 1 < tokens.length) {
      const last = tokens[expressionEnd(tokens, match, i + 1)] as Token
      const first = tokens[i + 1] as Token
      spans.push({
        name: arrowName(tokens, match, i),
        line: first.line,
        lines: last.endLine - first.line + 1,
      })
    } else if (t.text === '{' && match[i] !== -1 && opensFunctionBody(tokens, match, i)) {
      const close = tokens[match[i] as number] as Token
      spans.push({ name: nameOf(tokens, match, i), line: t.line, lines: close.line - t.line + 1 })
    }
  })
  return spans
}

/**
 * The index of the last token of the expression that starts at `start`: it ends before a
 * `,` or `;`, before a bracket it did not open, or at a line break that ends a statement.
 */
function expressionEnd(tokens: readonly Token[], match: Int32Array, start: number): number {
  let last = start
  let angle = 0
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k] as Token
    if (k > start && t.line > (tokens[last] as Token).endLine && !continues(tokens[last], t)) break
    if (t.kind === 'p') {
      if (t.text === '<') angle++
      else if (t.text === '>' && --angle < 0) break // `Record<K, () => V> = {`: a type ends
      if (endsExpression(tokens, match, k, start)) break
      if ('([{'.includes(t.text) && match[k] !== -1) k = match[k] as number
    }
    last = k
  }
  return last
}

function endsExpression(
  tokens: readonly Token[],
  match: Int32Array,
  k: number,
  start: number,
): boolean {
  const text = (tokens[k] as Token).text
  if (text === ',' || text === ';') return true
  if (OPENERS[text]) return (match[k] as number) < start
  if (text !== '{' || k === start || isPunct(tokens[k - 1], '=>')) return false
  if (!opensFunctionBody(tokens, match, k)) return false
  // `(): () => void {`: the arrow was in the return type of the function this `{` opens.
  const signature = isPunct(tokens[k - 1], ')') ? match[k - 1] : returnTypeColon(tokens, match, k)
  return (signature as number) < start
}

const CONTINUING_WORDS = new Set(['as', 'satisfies', 'instanceof', 'in', 'of', 'extends'])

/** Whether `next`, on a new line, continues the expression that `prev` ended the line with. */
function continues(prev: Token | undefined, next: Token): boolean {
  if (prev?.kind === 'tplh') return true
  if (prev?.kind === 'p' && !')]}>'.includes(prev.text)) return true
  if ((next.kind === 'tpl' || next.kind === 'tplh') && next.text.startsWith('}')) return true
  if (next.kind === 'id') return CONTINUING_WORDS.has(next.text)
  return next.kind === 'p' && !'([{!~@#'.includes(next.text)
}

function isPunct(t: Token | undefined, text: string): boolean {
  return t?.kind === 'p' && t.text === text
}

/** Whether the `)` at `close` ends a parameter list (not `if (…)` and the like). */
function endsParameters(tokens: readonly Token[], match: Int32Array, close: number): boolean {
  const open = match[close] as number
  if (open < 0) return false
  const before = tokens[open - 1]
  if (before?.kind !== 'id') return true
  if (CONTROL.has(before.text)) return false
  return !(before.text === 'await' && tokens[open - 2]?.text === 'for')
}

/** Whether the `{` at `i` opens the body of a function or method. */
function opensFunctionBody(tokens: readonly Token[], match: Int32Array, i: number): boolean {
  const prev = tokens[i - 1]
  if (isPunct(prev, '=>')) return true
  if (isPunct(prev, ')')) return endsParameters(tokens, match, i - 1)
  if (prev && TYPE_OPERATORS.has(prev.text)) return false // `): x is {` is still the type
  const colon = returnTypeColon(tokens, match, i)
  return colon > 0 && endsParameters(tokens, match, colon - 1)
}

/**
 * Walks back from a `{` over what may be a return type (`): Promise<Map<K, V>> {`,
 * `): { a: number } {`) to its `:`; returns the index of the `:` if a `)` precedes it.
 */
function returnTypeColon(tokens: readonly Token[], match: Int32Array, i: number): number {
  let angle = 0
  for (let k = i - 1; k >= 0 && k > i - 200; k--) {
    const t = tokens[k] as Token
    if (t.kind === 'id' && STATEMENT.has(t.text)) return -1
    if (t.kind !== 'p') continue
    if (t.text === '>') angle++
    else if (t.text === '<') angle--
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      if (match[k] === -1) return -1
      k = match[k] as number
    } else if (angle === 0 && (t.text === ':' || t.text === '=>')) {
      if (t.text === '=>') continue
      return k < i - 1 && isPunct(tokens[k - 1], ')') ? k : -1
    } else if (angle === 0 && !'.|&?'.includes(t.text)) return -1
    else if (angle < 0) return -1
  }
  return -1
}

/** A readable name for the function whose body opens at `i`. */
function nameOf(tokens: readonly Token[], match: Int32Array, i: number): string {
  let k = i - 1
  if (isPunct(tokens[k], '=>')) return arrowName(tokens, match, k)
  const colon = isPunct(tokens[k], ')') ? -1 : returnTypeColon(tokens, match, i)
  if (colon > 0) k = colon - 1
  k = (match[k] as number) - 1 // before the `(` of the parameters
  if (isPunct(tokens[k], '>')) k = skipTypeParameters(tokens, k)
  const t = tokens[k]
  if (t?.kind === 'id' && t.text !== 'function') return t.text
  return assignedName(tokens, t?.text === 'function' ? k - 1 : k) ?? '(function)'
}

function skipTypeParameters(tokens: readonly Token[], k: number): number {
  let depth = 0
  for (; k >= 0; k--) {
    const text = tokens[k]?.text
    if (text === '>') depth++
    else if (text === '<' && --depth === 0) return k - 1
  }
  return k
}

/** `name = …` or `name: …` just before `k`. */
function assignedName(tokens: readonly Token[], k: number): string | null {
  let j = k
  if (tokens[j]?.text === 'async') j--
  const op = tokens[j]
  const name = tokens[j - 1]
  if ((isPunct(op, '=') || isPunct(op, ':')) && name?.kind === 'id') return name.text
  return null
}

/** The arrow whose `=>` is at `k`: its variable or property name, or the call it is passed to. */
function arrowName(tokens: readonly Token[], match: Int32Array, k: number): string {
  let j = k - 1
  const colon = isPunct(tokens[j], ')') ? -1 : returnTypeColon(tokens, match, k)
  if (colon > 0) j = colon - 1
  if (isPunct(tokens[j], ')')) j = (match[j] as number) - 1
  else j-- // a single parameter without parentheses
  if (isPunct(tokens[j], '>')) j = skipTypeParameters(tokens, j)
  const named = assignedName(tokens, j)
  if (named) return named
  for (; j >= 0; j--) {
    const t = tokens[j] as Token
    if (isPunct(t, ')') || isPunct(t, ']') || isPunct(t, '}')) j = match[j] as number
    else if (isPunct(t, '(') && tokens[j - 1]?.kind === 'id')
      return `(arrow in ${tokens[j - 1]?.text})`
    else if (isPunct(t, '(') || isPunct(t, '{') || isPunct(t, '[')) break
  }
  return '(arrow)'
}

function lineCount(text: string): number {
  const lines = text.split('\n').length
  return text.endsWith('\n') ? lines - 1 : lines
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return sourceFiles(path)
      return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
    })
}

/** Every file and function under `dir` over its limit; paths relative to `root`. */
export function sizeOffenders(dir: string, root: string): Offender[] {
  return sourceFiles(dir).flatMap((path) => {
    const text = readFileSync(path, 'utf8')
    const file = relative(root, path)
    const lines = lineCount(text)
    const own: Offender[] = lines > MAX_FILE_LINES ? [{ file, name: null, line: 1, lines }] : []
    for (const f of functionSpans(text)) {
      if (f.lines > MAX_FUNCTION_LINES)
        own.push({ file, name: f.name, line: f.line, lines: f.lines })
    }
    return own
  })
}

export function formatOffender(o: Offender): string {
  const what = o.name === null ? 'file' : o.name
  return `${o.file}:${o.line}  ${what}  ${o.lines} lines`
}

const invoked = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invoked) {
  const dir = resolve(process.argv[2] ?? 'src')
  const offenders = sizeOffenders(dir, process.cwd())
  for (const o of offenders) console.log(formatOffender(o))
  console.log(
    `${offenders.length} over the limits (file > ${MAX_FILE_LINES} lines, function > ${MAX_FUNCTION_LINES} lines)`,
  )
  process.exitCode = offenders.length > 0 ? 1 : 0
}
