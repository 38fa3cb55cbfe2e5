import { ExchangeError } from './errors.js';
import { type XmlElement, el, parseXmlSafely, renderXml, xmlAttr, xmlChild, xmlText } from './xml.js';

/** Namespace of the XML exchange envelope (commerce-exchange.md, inbound-referrals.md). */
export const EXCHANGE_NS = 'urn:xianyou:exchange:1.0';

/** The bureau's sender identity (exchange-envelope.md: Identity). */
export const BUREAU_SENDER = { code: '11350322003600186J', name: '仙游县公安局' } as const;

/** A sender or receiver: code (USCC, always a string) and name. */
export interface ExchangeParty {
  readonly code: string;
  readonly name: string;
}

/**
 * The header every exchange message carries, in both wire forms.
 *
 * @example { messageId: '0193a0c4-5b7e-7c1e-9f2a-6d3b1e2f4a10', messageType: 'INSPECTION_RESULT_NOTICE',
 *   schemaVersion: '1.0', sender: BUREAU_SENDER, receiver: { code: '11350322MB00000005', name: '仙游县市场监督管理局' },
 *   createdAt: '2026-11-25T15:00:00+08:00', correlationId: null }
 */
export interface EnvelopeHeader {
  readonly messageId: string;
  readonly messageType: string;
  readonly schemaVersion: '1.0';
  readonly sender: ExchangeParty;
  readonly receiver: ExchangeParty;
  /** ISO 8601 with offset. */
  readonly createdAt: string;
  readonly correlationId: string | null;
}

/** A parsed envelope: the header is checked for shape; the body stays `unknown` until schema-validated. */
export interface ParsedEnvelope {
  readonly header: EnvelopeHeader;
  /** XML: the body element's parsed tree, keyed by its local name; JSON: the `payload` value. */
  readonly body: unknown;
  /** XML only: the local name of the single element inside `Body`. */
  readonly bodyElement?: string;
}

/**
 * Builds the XML envelope `ex:Exchange` around one body element (which must use the `ex:` prefix).
 * Every value is escaped; codes stay strings.
 *
 * @example renderXmlEnvelope(header, el('ex:InspectionResultNotice', { noticeNo: '仙公抄〔2026〕0042号' }, …))
 */
export function renderXmlEnvelope(header: EnvelopeHeader, body: XmlElement): string {
  return renderXml(
    el(
      'ex:Exchange',
      { 'xmlns:ex': EXCHANGE_NS, schemaVersion: header.schemaVersion },
      el(
        'ex:Header',
        null,
        el('ex:MessageId', null, header.messageId),
        el('ex:MessageType', null, header.messageType),
        el('ex:Sender', { code: header.sender.code }, header.sender.name),
        el('ex:Receiver', { code: header.receiver.code }, header.receiver.name),
        el('ex:CreatedAt', null, header.createdAt),
        el('ex:CorrelationId', null, header.correlationId ?? undefined),
      ),
      el('ex:Body', null, body),
    ),
  );
}

function party(node: unknown, what: string): ExchangeParty {
  const code = xmlAttr(node, 'code');
  const name = xmlText(node);
  if (!code || name === undefined)
    throw new ExchangeError('ENVELOPE_INVALID', `${what} needs a code and a name`);
  return { code, name };
}

function requiredText(node: unknown, what: string): string {
  const v = xmlText(node);
  if (v === undefined || v === '') throw new ExchangeError('ENVELOPE_INVALID', `${what} is missing`);
  return v;
}

/**
 * Parses the XML envelope. Refuses DOCTYPE/ENTITY before parsing, then malformed XML, then a missing header field.
 * Validate the whole document against its XSD (`validateXml`) before trusting `body`.
 *
 * @throws ExchangeError('XML_DOCTYPE_REFUSED' | 'XML_MALFORMED' | 'ENVELOPE_INVALID')
 */
export function parseXmlEnvelope(xml: string): ParsedEnvelope {
  const doc = parseXmlSafely(xml);
  const root = xmlChild(doc, 'Exchange');
  const h = xmlChild(root, 'Header');
  if (root === undefined || h === undefined) {
    throw new ExchangeError('ENVELOPE_INVALID', 'expected an Exchange element with a Header');
  }
  const schemaVersion = xmlAttr(root, 'schemaVersion');
  if (schemaVersion !== '1.0') throw new ExchangeError('ENVELOPE_INVALID', 'schemaVersion must be "1.0"');
  const correlation = xmlText(xmlChild(h, 'CorrelationId'));
  const header: EnvelopeHeader = {
    messageId: requiredText(xmlChild(h, 'MessageId'), 'MessageId'),
    messageType: requiredText(xmlChild(h, 'MessageType'), 'MessageType'),
    schemaVersion,
    sender: party(xmlChild(h, 'Sender'), 'Sender'),
    receiver: party(xmlChild(h, 'Receiver'), 'Receiver'),
    createdAt: requiredText(xmlChild(h, 'CreatedAt'), 'CreatedAt'),
    correlationId: correlation ? correlation : null,
  };
  const bodyNode = xmlChild(root, 'Body');
  const names =
    typeof bodyNode === 'object' && bodyNode !== null
      ? Object.keys(bodyNode).filter((k) => !k.startsWith('@') && k !== '#text')
      : [];
  if (names.length !== 1) throw new ExchangeError('ENVELOPE_INVALID', 'Body must hold exactly one element');
  return { header, body: xmlChild(bodyNode, names[0]!), bodyElement: names[0]! };
}

/**
 * Builds the JSON envelope of culture-exchange.md with a fixed key order, as UTF-8 text.
 *
 * @example renderJsonEnvelope(header, { noticeNo: '仙公抄〔2026〕0043号', … })
 */
export function renderJsonEnvelope(header: EnvelopeHeader, payload: unknown): string {
  return JSON.stringify({
    messageId: header.messageId,
    messageType: header.messageType,
    schemaVersion: header.schemaVersion,
    sender: { code: header.sender.code, name: header.sender.name },
    receiver: { code: header.receiver.code, name: header.receiver.name },
    createdAt: header.createdAt,
    correlationId: header.correlationId,
    payload,
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonParty(v: unknown, what: string): ExchangeParty {
  if (!isRecord(v) || typeof v.code !== 'string' || typeof v.name !== 'string') {
    throw new ExchangeError('ENVELOPE_INVALID', `${what} needs string code and name`);
  }
  return { code: v.code, name: v.name };
}

function jsonString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '')
    throw new ExchangeError('ENVELOPE_INVALID', `${what} must be a non-empty string`);
  return v;
}

/**
 * Parses the JSON envelope text. Checks the header's shape only; `payload` stays `unknown` until `validateJson`.
 *
 * @throws ExchangeError('JSON_MALFORMED' | 'ENVELOPE_INVALID')
 */
export function parseJsonEnvelope(text: string): ParsedEnvelope {
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ExchangeError('JSON_MALFORMED', `JSON could not be parsed: ${(err as Error).message}`);
  }
  return jsonEnvelopeFromValue(doc);
}

/** As `parseJsonEnvelope`, for an already-parsed value. */
export function jsonEnvelopeFromValue(doc: unknown): ParsedEnvelope {
  if (!isRecord(doc)) throw new ExchangeError('ENVELOPE_INVALID', 'expected a JSON object');
  if (doc.schemaVersion !== '1.0') throw new ExchangeError('ENVELOPE_INVALID', 'schemaVersion must be "1.0"');
  const correlationId = doc.correlationId;
  if (correlationId !== null && correlationId !== undefined && typeof correlationId !== 'string') {
    throw new ExchangeError('ENVELOPE_INVALID', 'correlationId must be a string or null');
  }
  return {
    header: {
      messageId: jsonString(doc.messageId, 'messageId'),
      messageType: jsonString(doc.messageType, 'messageType'),
      schemaVersion: '1.0',
      sender: jsonParty(doc.sender, 'sender'),
      receiver: jsonParty(doc.receiver, 'receiver'),
      createdAt: jsonString(doc.createdAt, 'createdAt'),
      correlationId: correlationId ? correlationId : null,
    },
    body: doc.payload,
  };
}
