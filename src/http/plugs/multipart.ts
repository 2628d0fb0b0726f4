/**
 * multipart/form-data through busboy: fields become params (brackets nest as
 * in a query string), files stream to a private temp directory and become
 * `Upload`s, removed when the request is done. Every limit (total length,
 * file size, number of parts, files and fields, field size) answers 413, so a
 * multipart bomb costs bounded memory and disk.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import busboy from 'busboy'
import { CinderError } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import { buildParams, type Params, type ParamValue, type QueryLimits, Upload } from '../query.ts'

export interface MultipartOptions {
  /** Most bytes in the whole body. Default: the parsers' `length`. */
  readonly length?: number
  /** Most bytes in one file. Default 8 MB. */
  readonly fileSize?: number
  /** Most files. Default 10. */
  readonly files?: number
  /** Most parts (files + fields). Default 1000. */
  readonly parts?: number
  /** Most bytes in one field value. Default 1 MB. */
  readonly fieldSize?: number
  /** Where the temp directories go. Default `os.tmpdir()`. */
  readonly tmpDir?: string
}

type Limits = Required<Omit<MultipartOptions, 'length'>> & { readonly length: number }

export async function parseMultipart(
  conn: Conn,
  length: number,
  options: MultipartOptions,
  limits: QueryLimits = {},
): Promise<Params> {
  const resolved: Limits = {
    fileSize: options.fileSize ?? 8_000_000,
    files: options.files ?? 10,
    parts: options.parts ?? 1000,
    fieldSize: options.fieldSize ?? 1_000_000,
    tmpDir: options.tmpDir ?? tmpdir(),
    length: options.length ?? length,
  }
  const declared = Number(conn.getReqHeader('content-length') ?? Number.NaN)
  if (declared > resolved.length) throw overLength(resolved.length)
  const reader = new MultipartReader(conn, resolved, openParser(conn, resolved))
  return buildParams(await reader.read(), limits)
}

function openParser(conn: Conn, limits: Limits): busboy.Busboy {
  const { fileSize, files, parts, fieldSize } = limits
  try {
    return busboy({
      headers: { 'content-type': conn.getReqHeader('content-type') ?? '' },
      limits: { fileSize, files, parts, fields: parts, fieldSize, headerPairs: 100 },
    })
  } catch (error) {
    throw new CinderError(
      'CINDER_ERR_BAD_REQUEST',
      `malformed multipart request: ${(error as Error).message}`,
    )
  }
}

/** One multipart body on its way in: fields as pairs, files to a temp directory. */
class MultipartReader {
  readonly #conn: Conn
  readonly #limits: Limits
  readonly #parser: busboy.Busboy
  readonly #body: Readable
  readonly #pairs: Array<[string, ParamValue]> = []
  readonly #writes: Promise<void>[] = []
  readonly #files: Readable[] = []
  #dir: Promise<string> | undefined
  #failed = false
  #reject: (error: unknown) => void = () => {}

  constructor(conn: Conn, limits: Limits, parser: busboy.Busboy) {
    this.#conn = conn
    this.#limits = limits
    this.#parser = parser
    this.#body = conn.bodyStream()
  }

  read(): Promise<Array<[string, ParamValue]>> {
    return new Promise((resolve, reject) => {
      this.#reject = reject
      const parser = this.#parser
      let received = 0
      this.#body.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > this.#limits.length) this.#fail(overLength(this.#limits.length))
      })
      parser.on('field', (name, value, info) => this.#field(name, value, info.valueTruncated))
      parser.on('file', (name, stream, info) => this.#file(name, stream, info))
      for (const [event, option] of LIMIT_EVENTS) {
        const count = option === 'files' ? this.#limits.files : this.#limits.parts
        parser.on(event, () =>
          this.#fail(tooLarge(`more than ${count} multipart ${option}`, option)),
        )
      }
      parser.on('error', (error: unknown) => this.#fail(badRequest(error)))
      parser.on('close', () => {
        Promise.all(this.#writes).then(() => {
          if (!this.#failed) resolve(this.#pairs)
        }, reject)
      })
      this.#body.on('error', (error: unknown) => this.#fail(badRequest(error)))
      this.#body.pipe(parser)
    })
  }

  #field(name: string, value: string, truncated: boolean): void {
    if (truncated) {
      this.#fail(
        tooLarge(`field ${name} is larger than ${this.#limits.fieldSize} bytes`, 'fieldSize'),
      )
    } else {
      this.#pairs.push([name, value])
    }
  }

  #file(name: string, stream: Readable, info: busboy.FileInfo): void {
    const filename = info.filename
    if (filename === undefined || filename === '') {
      stream.resume() // an empty file input: nothing was chosen
      return
    }
    this.#files.push(stream)
    stream.on('limit', () =>
      this.#fail(
        tooLarge(`file ${filename} is larger than ${this.#limits.fileSize} bytes`, 'fileSize'),
      ),
    )
    const index = this.#writes.length
    // Keep the form's order: reserve the slot now, fill it when the file is on disk.
    const slot = this.#pairs.push([name, '']) - 1
    const write = this.#tempDir().then(async (path) => {
      const file = join(path, String(index))
      const out = createWriteStream(file)
      await pipeline(stream, out)
      this.#pairs[slot] = [name, new Upload(file, filename, info.mimeType, out.bytesWritten)]
    })
    this.#writes.push(write)
    write.catch((error: unknown) => this.#fail(badRequest(error)))
  }

  #tempDir(): Promise<string> {
    this.#dir ??= mkdtemp(join(this.#limits.tmpDir, 'cinder-upload-')).then((path) => {
      this.#conn.registerCleanup(() => rm(path, { recursive: true, force: true }))
      return path
    })
    return this.#dir
  }

  /**
   * Stops feeding busboy and drops open files; destroying busboy from inside its own
   * callbacks is unsafe, so it is left to be collected (the 413 closes the connection).
   */
  #fail(error: CinderError): void {
    if (this.#failed) return
    this.#failed = true
    this.#body.unpipe(this.#parser)
    this.#parser.removeAllListeners('close')
    this.#parser.on('error', () => {})
    for (const file of this.#files) file.destroy()
    this.#reject(error)
  }
}

function overLength(limit: number): CinderError {
  return tooLarge(`the multipart body is larger than ${limit} bytes`, 'length')
}

/** busboy's limit events, and the option that raises each. */
const LIMIT_EVENTS = [
  ['partsLimit', 'parts'],
  ['fieldsLimit', 'parts'],
  ['filesLimit', 'files'],
] as const

function tooLarge(message: string, option: keyof MultipartOptions | 'length'): CinderError {
  return new CinderError(
    'CINDER_ERR_BODY_TOO_LARGE',
    `${message} (raise the parsers' \`multipart.${option}\` option)`,
  )
}

function badRequest(error: unknown): CinderError {
  if (error instanceof CinderError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new CinderError('CINDER_ERR_BAD_REQUEST', `malformed multipart body: ${message}`)
}
