/** Content types by file extension and by format name (`json`, `html`…), for static files and `accepts`. */

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  text: 'text/plain',
  css: 'text/css',
  csv: 'text/csv',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  xml: 'application/xml',
  pdf: 'application/pdf',
  wasm: 'application/wasm',
  zip: 'application/zip',
  gz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  event_stream: 'text/event-stream',
}

/** The content type of a file name or format (`app.css` or `css`), else `application/octet-stream`. */
export function mimeType(nameOrFormat: string): string {
  const dot = nameOrFormat.lastIndexOf('.')
  const ext = (dot === -1 ? nameOrFormat : nameOrFormat.slice(dot + 1)).toLowerCase()
  return TYPES[ext] ?? 'application/octet-stream'
}

/** Whether a type is text (served with `charset=utf-8`). */
export function isTextType(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'image/svg+xml' ||
    type === 'application/manifest+json'
  )
}

/** The format names known for a content type (`application/json` → `json`). */
export function formatsOf(type: string): string[] {
  return Object.keys(TYPES).filter((format) => TYPES[format] === type)
}
