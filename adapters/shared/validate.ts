import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { assertNoDoctype } from './xml.js';
import { type XsdFile, type XsdSchema, XsdBatcher } from './xsd-batcher.js';

/** XSDs under `schema/exchange/`, one per XML message type (file name without `.xsd`). */
export type XmlSchemaName =
  | 'commerce-inspection-result-notice'
  | 'commerce-case-referral'
  | 'commerce-penalty-publicity'
  | 'commerce-receipt'
  | 'credit-batch'
  | 'credit-batch-receipt'
  | 'inbound-case-referral'
  | 'inbound-notice-feedback'
  | 'inbound-referral-decision';

/** JSON Schemas (draft-07) under `schema/exchange/`, one per JSON message type (file name without `.schema.json`). */
export type JsonSchemaName =
  | 'culture-inspection-result-notice'
  | 'culture-blacklist-notice'
  | 'culture-case-referral'
  | 'portal-article'
  | 'inbound-case-referral'
  | 'inbound-notice-feedback'
  | 'inbound-referral-decision';

/** Outcome of a schema check; `errors` name the place and what was expected. */
export interface ValidationResult {
  readonly valid: boolean;
  readonly errors: string[];
}

/** `schema/exchange/` resolved from this module, so it works from `adapters/shared/` and from a build output alike. */
export const EXCHANGE_SCHEMA_DIR = fileURLToPath(new URL('../../schema/exchange/', import.meta.url));

let xsdCache: Map<string, XsdFile> | null = null;

function xsdFiles(): Map<string, XsdFile> {
  if (!xsdCache) {
    xsdCache = new Map();
    for (const f of readdirSync(EXCHANGE_SCHEMA_DIR)) {
      if (f.endsWith('.xsd')) {
        xsdCache.set(f, { fileName: f, contents: readFileSync(`${EXCHANGE_SCHEMA_DIR}${f}`, 'utf8') });
      }
    }
  }
  return xsdCache;
}

const SCHEMA_LOCATION_RE =
  /<(?:[A-Za-z_][\w.-]*:)?(?:import|include|redefine|override)\b[^>]*?\bschemaLocation\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * The XSD files `main` imports, includes, redefines or overrides, transitively (`schemaLocation` names a sibling
 * file under `schema/exchange/`). A location that names no such file is left out: libxml2 then reports it, as before.
 */
export function xsdDependencies(main: XsdFile, files: ReadonlyMap<string, XsdFile>): XsdFile[] {
  const seen = new Set<string>([main.fileName]);
  const out: XsdFile[] = [];
  const todo = [main];
  while (todo.length > 0) {
    const f = todo.pop()!;
    for (const m of f.contents.matchAll(SCHEMA_LOCATION_RE)) {
      const name = (m[1] ?? m[2] ?? '').replace(/^\.\//, '');
      const dep = files.get(name);
      if (dep && !seen.has(name)) {
        seen.add(name);
        out.push(dep);
        todo.push(dep);
      }
    }
  }
  return out;
}

const schemas = new Map<XmlSchemaName, XsdSchema | null>();

/** The main XSD of `name` with the files it depends on (cached); `null` for an unknown name. */
export function xsdSchema(name: XmlSchemaName): XsdSchema | null {
  let s = schemas.get(name);
  if (s === undefined) {
    const files = xsdFiles();
    const main = files.get(`${name}.xsd`);
    s = main ? { main, preload: xsdDependencies(main, files) } : null;
    schemas.set(name, s);
  }
  return s;
}

const batcher = new XsdBatcher();

/**
 * Validates an XML document against `schema/exchange/{schemaName}.xsd` with libxml2 (xmllint-wasm, no network).
 * Documents with a DOCTYPE or entity declaration are reported invalid without being handed to the validator.
 * Concurrent calls share xmllint runs (see {@link XsdBatcher}); each still gets exactly its own document's result.
 *
 * @example await validateXml(xml, 'commerce-receipt') // { valid: true, errors: [] }
 */
export async function validateXml(xml: string, schemaName: XmlSchemaName): Promise<ValidationResult> {
  try {
    assertNoDoctype(xml);
  } catch (err) {
    return { valid: false, errors: [(err as Error).message] };
  }
  const schema = xsdSchema(schemaName);
  if (!schema) return { valid: false, errors: [`unknown XML schema ${schemaName}`] };
  return batcher.validate(schema, xml);
}

let ajv: Ajv | null = null;
const compiled = new Map<JsonSchemaName, ValidateFunction>();
const SCHEMA_BASE = 'https://schema.shuangsui.invalid/exchange/';

function ajvInstance(): Ajv {
  if (!ajv) {
    // Conditional `required` (if/then, anyOf) names properties declared one level up, which strictRequired rejects.
    ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    for (const f of readdirSync(EXCHANGE_SCHEMA_DIR)) {
      if (f.endsWith('.schema.json')) {
        ajv.addSchema(JSON.parse(readFileSync(`${EXCHANGE_SCHEMA_DIR}${f}`, 'utf8')) as object);
      }
    }
  }
  return ajv;
}

function formatAjvError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') {
    return `${where}: unexpected property ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return `${where}: ${e.message ?? e.keyword}`;
}

/**
 * Validates a parsed JSON value against `schema/exchange/{schemaName}.schema.json` (ajv, compiled once per schema).
 *
 * @example validateJson(JSON.parse(body), 'culture-blacklist-notice') // { valid: false, errors: ['/payload/persons/0/idNumber: must match pattern …'] }
 */
export function validateJson(value: unknown, schemaName: JsonSchemaName): ValidationResult {
  let fn = compiled.get(schemaName);
  if (!fn) {
    const got = ajvInstance().getSchema(`${SCHEMA_BASE}${schemaName}.schema.json`);
    if (!got) return { valid: false, errors: [`unknown JSON schema ${schemaName}`] };
    fn = got;
    compiled.set(schemaName, fn);
  }
  const valid = fn(value) as boolean;
  return { valid, errors: valid ? [] : (fn.errors ?? []).map(formatAjvError) };
}

/** Tags the portal accepts in `bodyHtml` (portal-publishing.md); anything else is a 422 there. */
export const PORTAL_ALLOWED_TAGS: ReadonlySet<string> = new Set([
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'p',
  'h2',
  'h3',
  'ul',
  'li',
  'br',
  'strong',
]);

const CELL_ATTRS = new Set(['colspan', 'rowspan']);

/**
 * Checks portal `bodyHtml` against the tag whitelist. Only `colspan`/`rowspan` (digits) on `th`/`td` are
 * allowed as attributes; comments, declarations, processing instructions, a stray `<` and unbalanced tags are errors.
 *
 * @returns the list of problems; empty when the HTML may be sent.
 * @example checkPortalBodyHtml('<p>ok</p><script>x</script>') // ['<script> is not allowed', '</script> is not allowed']
 */
export function checkPortalBodyHtml(html: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  const tagRe =
    /<(\/?)([A-Za-z][A-Za-z0-9]*)((?:\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/y;
  const attrRe = /([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    tagRe.lastIndex = lt;
    const m = tagRe.exec(html);
    if (!m) {
      errors.push(`unexpected "<" at offset ${lt} (comments, declarations and raw "<" are not allowed)`);
      i = lt + 1;
      continue;
    }
    i = tagRe.lastIndex;
    const closing = m[1] === '/';
    const name = m[2]!.toLowerCase();
    if (!PORTAL_ALLOWED_TAGS.has(name)) {
      errors.push(`<${closing ? '/' : ''}${name}> is not allowed`);
      continue;
    }
    const attrs = m[3]!.trim();
    if (attrs) {
      for (const a of attrs.matchAll(attrRe)) {
        const an = a[1]!.toLowerCase();
        const av = a[2] ?? a[3] ?? a[4] ?? '';
        if (closing || !(name === 'td' || name === 'th') || !CELL_ATTRS.has(an) || !/^\d{1,3}$/.test(av)) {
          errors.push(`attribute ${an} on <${name}> is not allowed`);
        }
      }
    }
    if (name === 'br') continue;
    if (m[4] === '/') {
      errors.push(`<${name}/> must not be self-closing`);
    } else if (!closing) {
      stack.push(name);
    } else if (stack[stack.length - 1] === name) {
      stack.pop();
    } else {
      errors.push(`</${name}> does not close the open <${stack[stack.length - 1] ?? 'nothing'}>`);
    }
  }
  if (stack.length > 0) errors.push(`unclosed <${stack.join('>, <')}>`);
  return errors;
}
