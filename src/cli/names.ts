/**
 * Names the generators accept, and the forms their templates use: `chat_room` gives the
 * module `ChatRoom` and the title `Chat Room`; `gen live ChatRoom` gives the file stem
 * `chat-room`, the identifier `chatRoomLive`, the topic `chat_room` and the route `/chat-room`.
 */
import { builtinModules } from 'node:module'
import { CinderError } from '../errors.ts'

/** An application's name and its forms. */
export interface AppNames {
  /** The package name: `chat_room`. */
  readonly app: string
  /** `ChatRoom` */
  readonly module: string
  /** `Chat Room` */
  readonly title: string
}

/** A LiveView's or channel's name and its forms. */
export interface PieceNames {
  /** `ChatRoom` */
  readonly module: string
  /** `chatRoom` */
  readonly camel: string
  /** `chat-room` (files, element ids, routes) */
  readonly kebab: string
  /** `chat_room` (topics) */
  readonly snake: string
  /** `Chat Room` */
  readonly title: string
}

const APP_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/
const PIECE_NAME = /^[A-Za-z][A-Za-z0-9]*$/
const MAX_LENGTH = 64

/** Packages a new application depends on: npm refuses a package named like its dependency. */
const TAKEN = new Set([
  'cinder',
  'phoenix',
  'phoenix_live_view',
  'ws',
  'esbuild',
  'typescript',
  'tsx',
  'node_modules',
])

/** Checks an application name (`cinder new`) and derives its forms. */
export function appNames(name: string): AppNames {
  if (!APP_NAME.test(name) || name.length > MAX_LENGTH) {
    throw new CinderError(
      'CINDER_ERR_CLI_BAD_NAME',
      `${JSON.stringify(name)} is not a valid application name: use lowercase letters and digits, ` +
        `words joined by _ or -, starting with a letter, at most ${MAX_LENGTH} characters (e.g. chat_room)`,
    )
  }
  if (TAKEN.has(name) || builtinModules.includes(name)) {
    throw new CinderError(
      'CINDER_ERR_CLI_BAD_NAME',
      `${JSON.stringify(name)} cannot name an application: it is the name of ` +
        `${TAKEN.has(name) ? 'a package the application depends on' : 'a Node.js module'}; choose another`,
    )
  }
  const words = name.split(/[-_]/)
  return {
    app: name,
    module: words.map(capitalize).join(''),
    title: words.map(capitalize).join(' '),
  }
}

/** Checks a LiveView or channel name (`cinder gen live ChatRoom`) and derives its forms. */
export function pieceNames(name: string, what: string): PieceNames {
  if (!PIECE_NAME.test(name) || name.length > MAX_LENGTH) {
    throw new CinderError(
      'CINDER_ERR_CLI_BAD_NAME',
      `${JSON.stringify(name)} is not a valid ${what} name: use letters and digits, starting with ` +
        `a letter, words in PascalCase (e.g. ChatRoom), at most ${MAX_LENGTH} characters`,
    )
  }
  const words = splitWords(name)
  const lower = words.map((w) => w.toLowerCase())
  return {
    module: words.map(capitalize).join(''),
    camel: lower[0] + words.slice(1).map(capitalize).join(''),
    kebab: lower.join('-'),
    snake: lower.join('_'),
    title: words.map(capitalize).join(' '),
  }
}

/** `ChatRoom2` → `Chat Room2`; `HTTPStatus` → `HTTP Status`. */
function splitWords(name: string): string[] {
  return name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [name]
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}
