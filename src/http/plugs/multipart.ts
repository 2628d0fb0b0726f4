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

export async function parseMultipart(
  conn: Conn,
  length: number,
  options: MultipartOptions,
  limits: QueryLimits = {},
): Promise<Params> {
  const {
    fileSize = 8_000_000,
    files = 10,
    parts = 1000,
    fieldSize = 1_000_000,
    tmpDir = tmpdir(),
  } = options
  const limit = options.length ?? length
  const declared = Number(conn.getReqHeader('content-length') ?? Number.NaN)
  const overLength = () => tooLarge(`the multipart body is larger than ${limit} bytes`, 'length')
  if (declared > limit) throw overLength()
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': conn.getReqHeader('content-type') ?? '' },
      limits: { fileSize, files, parts, fields: parts, fieldSize, headerPairs: 100 },
    })
  } catch (error) {
    throw new CinderError(
      'CINDER_ERR_BAD_REQUEST',
      `malformed multipart request: ${(error as Error).message}`,
    )
  }
  const pairs: Array<[string, ParamValue]> = []
  const writes: Promise<void>[] = []
  let dir: Promise<string> | undefined
  const tempDir = (): Promise<string> => {
    dir ??= mkdtemp(join(tmpDir, 'cinder-upload-')).then((path) => {
      conn.registerCleanup(() => rm(path, { recursive: true, force: true }))
      return path
    })
    return dir
  }
  const body = conn.bodyStream()
  await new Promise<void>((resolve, reject) => {
    let failed = false
    const files: Readable[] = []
    // Stop feeding busboy and drop open files; destroying busboy from inside its own
    // callbacks is unsafe, so it is left to be collected (the 413 closes the connection).
    const fail = (error: CinderError): void => {
      if (failed) return
      failed = true
      body.unpipe(parser)
      parser.removeAllListeners('close')
      parser.on('error', () => {})
      for (const file of files) file.destroy()
      reject(error)
    }
    let received = 0
    body.on('data', (chunk: Buffer) => {
      received += chunk.length
      if (received > limit) fail(overLength())
    })
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) {
        fail(tooLarge(`field ${name} is larger than ${fieldSize} bytes`, 'fieldSize'))
      } else pairs.push([name, value])
    })
    parser.on('file', (name, stream, info) => {
      const filename = info.filename
      if (filename === undefined || filename === '') {
        stream.resume() // an empty file input: nothing was chosen
        return
      }
      files.push(stream)
      stream.on('limit', () =>
        fail(tooLarge(`file ${filename} is larger than ${fileSize} bytes`, 'fileSize')),
      )
      const index = writes.length
      // Keep the form's order: reserve the slot now, fill it when the file is on disk.
      const slot = pairs.push([name, '']) - 1
      const write = tempDir().then(async (path) => {
        const file = join(path, String(index))
        const out = createWriteStream(file)
        await pipeline(stream, out)
        pairs[slot] = [name, new Upload(file, filename, info.mimeType, out.bytesWritten)]
      })
      writes.push(write)
      write.catch((error: unknown) => fail(badRequest(error)))
    })
    for (const [event, option] of LIMIT_EVENTS) {
      parser.on(event, () =>
        fail(
          tooLarge(`more than ${option === 'files' ? files : parts} multipart ${option}`, option),
        ),
      )
    }
    parser.on('error', (error: unknown) => fail(badRequest(error)))
    parser.on('close', () => {
      Promise.all(writes).then(() => {
        if (!failed) resolve()
      }, reject)
    })
    body.on('error', (error: unknown) => fail(badRequest(error)))
    body.pipe(parser)
  })
  return buildParams(pairs, limits)
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
