import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ExchangeError } from './errors.js';

/** An attribute value: strings (codes stay strings) or booleans; `null`/`undefined` omit the attribute. */
export type XmlAttrValue = string | boolean | null | undefined;

/** A node of the small XML tree the encoders build; rendered by `renderXml` with escaping throughout. */
export interface XmlElement {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, XmlAttrValue>>;
  readonly children?: readonly XmlChild[];
}

/** Text children are escaped; elements are rendered recursively. */
export type XmlChild = XmlElement | string;

/**
 * Builds an element. `undefined` / `null` / `false` children are dropped so optional parts read naturally.
 *
 * @example el('ex:Subject', { uscc: '91350322MA31C7Q2XK', name: '星光KTV' })
 */
export function el(
  name: string,
  attrs?: Readonly<Record<string, XmlAttrValue>> | null,
  ...children: readonly (XmlChild | null | undefined | false)[]
): XmlElement {
  return {
    name,
    attrs: attrs ?? undefined,
    children: children.filter((c): c is XmlChild => c !== null && c !== undefined && c !== false),
  };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?$/;
// Characters outside the XML 1.0 Char production: libxml2 refuses them, so we refuse them before sending.
const ILLEGAL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkChars(value: string, where: string): void {
  if (ILLEGAL.test(value)) {
    throw new ExchangeError('MESSAGE_INVALID', `character not allowed in XML in ${where}`);
  }
}

/** Escapes text content (`&`, `<`, `>`, and `\r` so it survives parsing). Throws on characters XML cannot carry. */
export function escapeXmlText(value: string): string {
  checkChars(value, 'text');
  return value.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

/** Escapes an attribute value for double quotes, including whitespace that attribute normalisation would eat. */
export function escapeXmlAttr(value: string): string {
  checkChars(value, 'attribute');
  return value.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#9;';
      case '\n':
        return '&#10;';
      default:
        return '&#13;';
    }
  });
}

function renderAttrs(attrs: Readonly<Record<string, XmlAttrValue>> | undefined): string {
  if (!attrs) return '';
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (!NAME.test(k))
      throw new ExchangeError('MESSAGE_INVALID', `bad XML attribute name ${JSON.stringify(k)}`);
    out += ` ${k}="${escapeXmlAttr(typeof v === 'boolean' ? String(v) : v)}"`;
  }
  return out;
}

function renderNode(node: XmlElement, indent: string, step: string, out: string[]): void {
  if (!NAME.test(node.name))
    throw new ExchangeError('MESSAGE_INVALID', `bad XML element name ${JSON.stringify(node.name)}`);
  const open = `${indent}<${node.name}${renderAttrs(node.attrs)}`;
  const children = node.children ?? [];
  if (children.length === 0) {
    out.push(`${open}/>`);
    return;
  }
  if (children.every((c) => typeof c === 'string')) {
    out.push(`${open}>${children.map((c) => escapeXmlText(c as string)).join('')}</${node.name}>`);
    return;
  }
  if (children.some((c) => typeof c === 'string')) {
    throw new ExchangeError(
      'MESSAGE_INVALID',
      `mixed content is not used in exchange messages (${node.name})`,
    );
  }
  out.push(`${open}>`);
  for (const c of children) renderNode(c as XmlElement, indent + step, step, out);
  out.push(`${indent}</${node.name}>`);
}

/**
 * Renders a tree as UTF-8 XML text with an XML declaration and two-space indentation.
 * Every text and attribute value is escaped; element and attribute names are checked.
 */
export function renderXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  renderNode(root, '', '  ', out);
  return `${out.join('\n')}\n`;
}

const FORBIDDEN_DECLS = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/**
 * Refuses any document carrying a DTD or entity declaration, before any parser sees it (OWASP XXE; inbound-referrals.md:
 * "DOCTYPE or entity declarations in XML: 400, never parsed").
 *
 * @throws ExchangeError('XML_DOCTYPE_REFUSED')
 */
export function assertNoDoctype(xml: string): void {
  if (FORBIDDEN_DECLS.test(xml)) {
    throw new ExchangeError('XML_DOCTYPE_REFUSED', 'XML with a DOCTYPE or entity declaration is refused');
  }
}

/** Elements that repeat in exchange documents; always parsed as arrays even when only one is present. */
const REPEATED = new Set(['Finding', 'Item', 'Record', 'Result', 'PenaltyCategory']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Numeric character references (&#20013;) must be decoded, not kept verbatim (STACK.md gotcha 12).
  htmlEntities: true,
  processEntities: true,
  maxNestedTags: 64,
  isArray: (name) => REPEATED.has(name),
});

/**
 * Parses an exchange XML document to a plain tree (`@attr`, `#text`, namespace prefixes removed).
 * DOCTYPE/ENTITY are refused first, then well-formedness is checked. The result is `unknown` until validated.
 *
 * @throws ExchangeError('XML_DOCTYPE_REFUSED' | 'XML_MALFORMED')
 */
export function parseXmlSafely(xml: string): unknown {
  assertNoDoctype(xml);
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    throw new ExchangeError(
      'XML_MALFORMED',
      `XML is not well-formed: ${wellFormed.err.msg} (line ${wellFormed.err.line})`,
    );
  }
  try {
    return parser.parse(xml) as unknown;
  } catch (err) {
    throw new ExchangeError('XML_MALFORMED', `XML could not be parsed: ${(err as Error).message}`);
  }
}

/** Narrowing helpers for parsed trees: read a child object, attribute or text without trusting the shape. */
export function xmlChild(node: unknown, name: string): unknown {
  return typeof node === 'object' && node !== null && !Array.isArray(node)
    ? (node as Record<string, unknown>)[name]
    : undefined;
}

/** Text of a parsed element: its string value, or its `#text`; `''` for an empty element; `undefined` otherwise. */
export function xmlText(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  const t = xmlChild(node, '#text');
  if (typeof t === 'string') return t;
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) return '';
  return undefined;
}

/** Attribute value of a parsed element, if it is a string. */
export function xmlAttr(node: unknown, name: string): string | undefined {
  const v = xmlChild(node, `@${name}`);
  return typeof v === 'string' ? v : undefined;
}
