import { graphemeLen, utf8Len } from '@atproto/common-web'
import { parseLexLink } from '@atproto/lex'
import { BlobRef, jsonToLex, type Lexicons } from '@atproto/lexicon'
import {
  isAtIdentifierString,
  isAtUriString,
  isDatetimeStringLenient,
  isValidDid,
  isValidHandle,
  isValidLanguage,
  isValidNsid,
  isValidRecordKey,
  isValidTid,
  isValidUri,
} from '@atproto/syntax'
import { CID } from 'multiformats/cid'

/**
 * A record validator compiled from a lexicon, for the indexer's hot path.
 *
 * It applies exactly the rules of @atproto/lexicon's `Lexicons.validate` (validators/complex.js, primitives.js,
 * formats.js: same checks in the same order, the same @atproto/syntax format predicates) to a record in its JSON
 * form, as `validate(jsonToLex(record))` would. What it saves is the per-call overhead, which was most of the
 * indexer's CPU per event (bench/ingest.ts): refs and union members are resolved once here instead of through
 * `toLexUri`/`getDef` string work on every value, errors are built only on failure, and the record is not copied.
 * Blobs are the one place the JSON form matters; each is judged exactly as `jsonToLex` would convert it (BlobRef or
 * not). One difference is deliberate: `jsonToLex` throws on a malformed legacy blob (`{cid, mimeType}` with a bad
 * cid) anywhere in a record, even in fields no lexicon defines, and such a record is accepted here (its unknown parts
 * are never read). test/validator.test.ts checks agreement with `Lexicons.validate` on generated valid and broken
 * records.
 *
 * A check returns undefined when the value is valid, otherwise the error's path suffix and message.
 */
type Check = (value: unknown) => string | undefined

type Def = { type: string } & Record<string, unknown>

export function compileRecordValidator(
  lexicons: Lexicons,
  nsid: string,
): (record: unknown) => string | undefined {
  const compiled = new Map<string, Check>()

  /** A def by lex URI, compiled once, lazily (lexicons refer to themselves: richtext facets, embeds in embeds). */
  const refCheck = (uri: string): Check => {
    let check = compiled.get(uri)
    if (!check) {
      let inner: Check | undefined
      check = (value) => (inner ??= compileDef(lexicons.getDefOrThrow(uri)))(value)
      compiled.set(uri, check)
    }
    return check
  }

  /** validateOneOf: unions and refs resolve to a concrete def, then `validate`. */
  const compileOneOf = (def: Def): Check => {
    if (def.type === 'ref') return refCheck(def.ref as string)
    if (def.type === 'union') return compileUnion(def)
    return compileDef(def)
  }

  const compileDef = (def: Def): Check => {
    switch (def.type) {
      case 'object':
        return compileObject(def)
      case 'array':
        return compileArray(def)
      case 'blob':
        return checkBlob
      case 'boolean':
        return compileBoolean(def)
      case 'integer':
        return compileInteger(def)
      case 'string':
        return compileString(def)
      case 'unknown':
        return (value) => (!value || typeof value !== 'object' ? ' must be an object' : undefined)
      case 'cid-link':
        return (value) => (convertsTo(value, (lex) => CID.asCID(lex) !== null) ? undefined : ' must be a CID')
      case 'bytes':
        return compileBytes(def)
      default:
        return () => `: unexpected lexicon type ${def.type}`
    }
  }

  const compileObject = (def: Def): Check => {
    const properties = (def.properties ?? {}) as Record<string, Def>
    const required = (def.required ?? []) as string[]
    const nullable = (def.nullable ?? []) as string[]
    const props = Object.entries(properties).map(([key, propDef]) => ({
      key,
      required: required.includes(key),
      nullable: nullable.includes(key),
      // Only these types have defaults; an undefined property with one is valid (the default applies).
      hasDefault: ['integer', 'boolean', 'string'].includes(propDef.type) && propDef.default !== undefined,
      check: compileOneOf(propDef),
    }))
    return (value) => {
      if (value === null || typeof value !== 'object') return ' must be an object'
      const object = value as Record<string, unknown>
      for (const prop of props) {
        const v = object[prop.key]
        if (v === null && prop.nullable) continue
        if (v === undefined) {
          if (prop.hasDefault) continue
          if (prop.required) return ` must have the property "${prop.key}"`
          continue
        }
        const error = prop.check(v)
        if (error !== undefined) return `/${prop.key}${error}`
      }
      return undefined
    }
  }

  const compileArray = (def: Def): Check => {
    const items = compileOneOf(def.items as Def)
    const maxLength = typeof def.maxLength === 'number' ? def.maxLength : undefined
    const minLength = typeof def.minLength === 'number' ? def.minLength : undefined
    return (value) => {
      if (!Array.isArray(value)) return ' must be an array'
      if (maxLength !== undefined && value.length > maxLength)
        return ` must not have more than ${maxLength} elements`
      if (minLength !== undefined && value.length < minLength)
        return ` must not have fewer than ${minLength} elements`
      for (let i = 0; i < value.length; i++) {
        const error = items(value[i])
        if (error !== undefined) return `/${i}${error}`
      }
      return undefined
    }
  }

  const compileUnion = (def: Def): Check => {
    const refs = def.refs as string[]
    const closed = def.closed === true
    const members = new Map<string, Check | null>()
    return (value) => {
      if (
        value === null ||
        typeof value !== 'object' ||
        typeof (value as { $type?: unknown }).$type !== 'string'
      ) {
        return ' must be an object which includes the "$type" property'
      }
      const type = (value as { $type: string }).$type
      // jsonToLex turns a well-formed blob into a BlobRef, which carries no `$type`.
      if (type === 'blob' && checkBlob(value) === undefined)
        return ' must be an object which includes the "$type" property'
      let member = members.get(type)
      if (member === undefined) {
        const uri = toLexUri(type)
        if (uri === undefined)
          return ` $type ${JSON.stringify(type.slice(0, 100))} is not a lexicon reference`
        member = refsContainType(refs, uri) ? refCheck(uri) : null
        if (members.size < 64) members.set(type, member) // bounded: $type values come from the network
      }
      if (member === null) return closed ? ` $type must be one of ${refs.join(', ')}` : undefined
      return member(value)
    }
  }

  const root = lexicons.getDefOrThrow(nsid, ['record']) as unknown as { record: Def }
  const check = compileObject(root.record)
  return (record) => {
    const error = check(record)
    return error === undefined ? undefined : `Record${error}`
  }
}

/**
 * A blob in JSON form is valid exactly when `jsonToLex` turns it into a BlobRef. The usual shape is decided here
 * by the same rules (@atproto/lexicon's strict typed-blob schema over lex-json's `$link` parsing) without the zod
 * parse that made this the costliest check on the hot path; any other shape (legacy blobs included) takes the
 * reference route.
 */
const checkBlob: Check = (value) => {
  if (isTypedBlobShape(value)) return isLexLink(value.ref) ? undefined : ' should be a blob ref'
  return convertsTo(value, (lex) => lex instanceof BlobRef) ? undefined : ' should be a blob ref'
}

/** Whether lex-json's parseLexLink accepts `ref` (`{$link}` and nothing else, a CID string); usual CIDs decided here. */
function isLexLink(ref: Record<string, unknown>): boolean {
  if (typeof ref.$link === 'string' && isUsualCidString(ref.$link)) {
    let keys = 0
    for (const _ in ref) keys++
    if (keys === 1) return true
  }
  return parseLexLink(ref) !== undefined
}

/** Whether `jsonToLex(value)` passes `test`; a value it refuses outright (a legacy blob with a bad cid) does not. */
function convertsTo(value: unknown, test: (lex: unknown) => boolean): boolean {
  try {
    return test(jsonToLex(value))
  } catch {
    return false
  }
}

function isTypedBlobShape(value: unknown): value is { ref: Record<string, unknown> } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const blob = value as Record<string, unknown>
  let keys = 0
  for (const _ in blob) keys++
  return (
    keys === 4 &&
    blob.$type === 'blob' &&
    typeof blob.mimeType === 'string' &&
    typeof blob.size === 'number' &&
    !Number.isNaN(blob.size) &&
    blob.ref !== null &&
    typeof blob.ref === 'object' &&
    !Array.isArray(blob.ref) &&
    Object.getPrototypeOf(blob.ref) === Object.prototype
  )
}

function compileBoolean(def: Def): Check {
  const constant = typeof def.const === 'boolean' ? def.const : undefined
  return (value) => {
    if (typeof value !== 'boolean') return ' must be a boolean'
    if (constant !== undefined && value !== constant) return ` must be ${constant}`
    return undefined
  }
}

function compileInteger(def: Def): Check {
  const constant = typeof def.const === 'number' ? def.const : undefined
  const enumValues = Array.isArray(def.enum) ? (def.enum as number[]) : undefined
  const maximum = typeof def.maximum === 'number' ? def.maximum : undefined
  const minimum = typeof def.minimum === 'number' ? def.minimum : undefined
  return (value) => {
    if (!Number.isInteger(value)) return ' must be an integer'
    const n = value as number
    if (constant !== undefined && n !== constant) return ` must be ${constant}`
    if (enumValues !== undefined && !enumValues.includes(n))
      return ` must be one of (${enumValues.join('|')})`
    if (maximum !== undefined && n > maximum) return ` can not be greater than ${maximum}`
    if (minimum !== undefined && n < minimum) return ` can not be less than ${minimum}`
    return undefined
  }
}

const FORMATS: Record<string, [(value: string) => boolean, string]> = {
  datetime: [isDatetimeStringLenient, 'must be an valid atproto datetime (both RFC-3339 and ISO-8601)'],
  uri: [isValidUri, 'must be a uri'],
  'at-uri': [isAtUriString, 'must be a valid at-uri'],
  did: [isValidDid, 'must be a valid did'],
  handle: [isValidHandle, 'must be a valid handle'],
  'at-identifier': [isAtIdentifierString, 'must be a valid did or a handle'],
  nsid: [isValidNsid, 'must be a valid nsid'],
  cid: [isCidString, 'must be a cid string'],
  language: [isValidLanguage, 'must be a well-formed BCP 47 language tag'],
  tid: [isValidTid, 'must be a valid TID'],
  'record-key': [isValidRecordKey, 'must be a valid Record Key'],
}

function compileString(def: Def): Check {
  const constant = typeof def.const === 'string' ? def.const : undefined
  const enumValues = Array.isArray(def.enum) ? (def.enum as string[]) : undefined
  const maxLength = typeof def.maxLength === 'number' ? def.maxLength : undefined
  const minLength = typeof def.minLength === 'number' ? def.minLength : undefined
  const maxGraphemes = typeof def.maxGraphemes === 'number' ? def.maxGraphemes : undefined
  const minGraphemes = typeof def.minGraphemes === 'number' ? def.minGraphemes : undefined
  const format = typeof def.format === 'string' ? FORMATS[def.format] : undefined
  return (value) => {
    if (typeof value !== 'string') return ' must be a string'
    if (constant !== undefined && value !== constant) return ` must be ${constant}`
    if (enumValues !== undefined && !enumValues.includes(value))
      return ` must be one of (${enumValues.join('|')})`
    if (minLength !== undefined || maxLength !== undefined) {
      if (minLength !== undefined && value.length * 3 < minLength) {
        return ` must not be shorter than ${minLength} characters`
      }
      // UTF-8 length is at most 3x the UTF-16 length: short strings need no count (as the lexicon validator).
      if (!(minLength === undefined && maxLength !== undefined && value.length * 3 <= maxLength)) {
        const len = utf8Len(value)
        if (maxLength !== undefined && len > maxLength)
          return ` must not be longer than ${maxLength} characters`
        if (minLength !== undefined && len < minLength)
          return ` must not be shorter than ${minLength} characters`
      }
    }
    if (maxGraphemes !== undefined || minGraphemes !== undefined) {
      if (minGraphemes !== undefined && value.length < minGraphemes) {
        return ` must not be shorter than ${minGraphemes} graphemes`
      }
      if ((maxGraphemes !== undefined && value.length > maxGraphemes) || minGraphemes !== undefined) {
        const len = graphemeLen(value)
        if (maxGraphemes !== undefined && len > maxGraphemes)
          return ` must not be longer than ${maxGraphemes} graphemes`
        if (minGraphemes !== undefined && len < minGraphemes)
          return ` must not be shorter than ${minGraphemes} graphemes`
      }
    }
    if (format !== undefined && !format[0](value)) return ` ${format[1]}`
    return undefined
  }
}

function compileBytes(def: Def): Check {
  const maxLength = typeof def.maxLength === 'number' ? def.maxLength : undefined
  const minLength = typeof def.minLength === 'number' ? def.minLength : undefined
  return (json) => {
    let value: unknown
    try {
      value = jsonToLex(json)
    } catch {
      return ' must be a byte array'
    }
    if (!(value instanceof Uint8Array)) return ' must be a byte array'
    if (maxLength !== undefined && value.byteLength > maxLength)
      return ` must not be larger than ${maxLength} bytes`
    if (minLength !== undefined && value.byteLength < minLength)
      return ` must not be smaller than ${minLength} bytes`
    return undefined
  }
}

/** As @atproto/lexicon's parseCidString: bounded (long inputs make some decoders quadratic), then CID.parse. */
function isCidString(value: string): boolean {
  if (isUsualCidString(value)) return true
  if (value.length > 128) return false
  try {
    CID.parse(value)
    return true
  } catch {
    return false
  }
}

/** @atproto/lexicon's toLexUri for a value's `$type`: undefined where that function would throw. */
function toLexUri(type: string): string | undefined {
  if (type.split('#').length > 2 || type.startsWith('#')) return undefined
  return type.startsWith('lex:') ? type : `lex:${type}`
}

/** @atproto/lexicon's refsContainType: `x` and `x#main` name the same def. */
function refsContainType(refs: readonly string[], uri: string): boolean {
  if (refs.includes(uri)) return true
  if (uri.endsWith('#main')) return refs.includes(uri.slice(0, -5))
  return !uri.includes('#') && refs.includes(`${uri}#main`)
}

const BASE32_DIGITS = 'abcdefghijklmnopqrstuvwxyz234567'
const BASE32_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 32; i++) BASE32_VALUE[BASE32_DIGITS.charCodeAt(i)] = i

/**
 * True only for a string CID.parse surely accepts: `b` + multibase base32 of a CIDv1 whose codec and hash codes are
 * one-byte varints and whose digest is 32 bytes (the CIDs of every record and blob on the network: dag-cbor or raw,
 * sha-256). Such a string decodes (every character a base32 digit, no stray trailing bits) to exactly the version,
 * codec, hash code, length and digest CID.decode reads, with nothing left over. False means "ask CID.parse": CID.parse
 * costs about 2 us (a CID, its digest and a WeakMap entry of string forms), this about a tenth of that.
 */
function isUsualCidString(value: string): boolean {
  if (value.length !== 59 || value.charCodeAt(0) !== 98 /* b */) return false
  let buffer = 0
  let bits = 0
  let index = 0 // of the next decoded byte
  for (let i = 1; i < 59; i++) {
    const code = value.charCodeAt(i)
    const digit = code < 128 ? BASE32_VALUE[code]! : -1
    if (digit < 0) return false
    buffer = ((buffer << 5) | digit) & 0xffff
    bits += 5
    if (bits >= 8) {
      bits -= 8
      const byte = (buffer >> bits) & 0xff
      // version 1, codec and multihash code under 0x80 (one varint byte each), digest length 32
      if (index === 0 ? byte !== 1 : index <= 2 ? byte >= 0x80 : index === 3 && byte !== 32) return false
      index++
    }
  }
  // 58 digits carry 290 bits: 36 bytes and 2 bits that must be zero (the decoder's "Unexpected end of data").
  return index === 36 && (buffer & ((1 << bits) - 1)) === 0
}
