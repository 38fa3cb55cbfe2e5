import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SourceError } from './source.errors.js';

/** Limits applied to every inbound XML document. */
export interface SafeXmlLimits {
  /** Largest document accepted, in characters. Default 16 Mi. */
  maxChars: number;
  /** Deepest element nesting accepted. Default 64. */
  maxDepth: number;
}

/** Options of `parseXmlSafely`. */
export interface SafeXmlOptions {
  /**
   * Element paths (after namespace prefixes are removed, dot-separated from the root, e.g.
   * `Response.Hotels.Hotel`) that are always arrays, even when a single element is present.
   */
  arrayPaths: readonly string[];
  limits?: Partial<SafeXmlLimits>;
}

/** Where an element sat in the source text: `text.slice(start, end)` is the element. */
export interface XmlSpan {
  start: number;
  end: number;
}

const CRITICAL_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const spanSymbol = XMLParser.getMetaDataSymbol() as unknown as symbol;

/** Attribute prefix used in parsed objects: `<Page no="1"/>` → `{ '@_no': '1' }`. */
export const ATTR = '@_';

/** Text key used in parsed objects when an element has both attributes and text. */
export const TEXT = '#text';

/**
 * Parses an untrusted XML document into plain objects, safely:
 * - any `<!DOCTYPE` or `<!ENTITY` is refused before parsing (`XML_DOCTYPE_REFUSED`, permanent), so
 *   external entities, parameter entities and entity-expansion bombs never reach the parser;
 * - a document that is not well formed (e.g. truncated mid-body) gives `MALFORMED_DOCUMENT`
 *   (transient: the caller re-fetches it);
 * - oversize documents and nesting deeper than the limit give `XML_LIMIT_EXCEEDED` (permanent);
 * - values stay strings (`007` stays `007`), numeric character references are decoded
 *   (`&#20013;` → 中), namespace prefixes are removed, `__proto__`-like names are renamed
 *   (`unsafe-__proto__`) so they can neither pollute prototypes nor sink the page.
 *
 * @example parseXmlSafely(text, { arrayPaths: ['Response.Hotels.Hotel'] })
 */
export function parseXmlSafely(text: string, opts: SafeXmlOptions): unknown {
  const limits: SafeXmlLimits = { maxChars: 16 * 1024 * 1024, maxDepth: 64, ...opts.limits };
  if (text.length > limits.maxChars) {
    throw new SourceError(
      'XML_LIMIT_EXCEEDED',
      `XML document of ${text.length} chars exceeds ${limits.maxChars}`,
      {
        transient: false,
      },
    );
  }
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) {
    throw new SourceError('XML_DOCTYPE_REFUSED', 'XML document declares a DOCTYPE or ENTITY: refused', {
      transient: false,
    });
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new SourceError(
      'MALFORMED_DOCUMENT',
      `XML not well formed at line ${valid.err.line}, col ${valid.err.col}: ${valid.err.msg}`,
      { transient: true, details: { line: valid.err.line, col: valid.err.col } },
    );
  }
  const arrays = new Set(opts.arrayPaths);
  const arrayLeaves = new Set(opts.arrayPaths.map((p) => p.slice(p.lastIndexOf('.') + 1)));
  const rename = (name: string): string => (CRITICAL_NAMES.has(name) ? `unsafe-${name}` : name);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    textNodeName: TEXT,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    removeNSPrefix: true,
    htmlEntities: true,
    processEntities: {
      enabled: true,
      // No DOCTYPE gets this far, so only predefined and numeric references remain; each is at
      // least 4 characters long and expands to at most 2, so these bounds follow from maxChars.
      maxEntitySize: 16,
      maxExpansionDepth: 1,
      maxTotalExpansions: Math.ceil(limits.maxChars / 4),
      maxExpandedLength: limits.maxChars,
      maxEntityCount: 1,
    },
    maxNestedTags: limits.maxDepth,
    transformTagName: rename,
    transformAttributeName: rename,
    captureMetaData: true,
    // With `jPath: false` the parser hands callbacks its path matcher instead of building the path
    // string for every tag and text node; the string is built only for a candidate array element.
    jPath: false,
    isArray: (name, jPath) => arrayLeaves.has(name) && arrays.has(String(jPath)),
  });
  try {
    return parser.parse(text) as unknown;
  } catch (err) {
    throw new SourceError('XML_LIMIT_EXCEEDED', `XML refused by parser: ${(err as Error).message}`, {
      transient: false,
      cause: err,
    });
  }
}

/** The source span of a parsed element (start/end offsets in the parsed text), if known. */
export function xmlSpanOf(node: unknown): XmlSpan | null {
  if (node === null || typeof node !== 'object') return null;
  const meta = (node as Record<symbol, unknown>)[spanSymbol] as
    { startIndex?: unknown; endIndex?: unknown } | undefined;
  if (!meta || typeof meta.startIndex !== 'number') return null;
  return { start: meta.startIndex, end: typeof meta.endIndex === 'number' ? meta.endIndex : meta.startIndex };
}
