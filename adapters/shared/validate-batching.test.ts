import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { commerceReceipt } from '../commerce/simulator.js';
import { EXCHANGE_SCHEMA_DIR, validateXml, xsdDependencies, xsdSchema } from './validate.js';
import {
  attributeBatchOutput,
  xmllintRunner,
  XsdBatcher,
  type XsdFile,
  type XsdSchema,
} from './xsd-batcher.js';

const allXsds = readdirSync(EXCHANGE_SCHEMA_DIR)
  .filter((f) => f.endsWith('.xsd'))
  .map((f) => ({ fileName: f, contents: readFileSync(`${EXCHANGE_SCHEMA_DIR}${f}`, 'utf8') }));

/** The reference: how validateXml worked before batching (one xmllint-wasm call, every XSD preloaded). */
async function original(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const main = allXsds.find((f) => f.fileName === 'commerce-receipt.xsd')!;
  const r = await validateXML({
    xml: { fileName: 'message.xml', contents: xml },
    schema: main,
    preload: allXsds.filter((f) => f !== main),
  });
  return {
    valid: r.valid,
    errors: r.errors.map((e) => (e.loc ? `line ${e.loc.lineNumber}: ${e.message}` : e.message)),
  };
}

const runs = vi.spyOn(XsdBatcher.prototype, 'validate');
afterEach(() => {
  runs.mockClear();
});

/** A batcher over the real worker runner that records every run's document count. */
function countingBatcher(options = {}) {
  const sizes: number[] = [];
  const runner = (s: XsdSchema, docs: readonly XsdFile[], pages?: number) => {
    sizes.push(docs.length);
    return xmllintRunner(s, docs, pages);
  };
  return { batcher: new XsdBatcher(options, runner), sizes };
}

const MID = '0193a0c4-5b7e-7c1e-9f2a-6d3b1e2f4a10';
const valid = (i: number) => commerceReceipt(MID, 'ACCEPTED', `SJ${i}`, '').body;
const badStatus = (i: number) => valid(i).replace('ACCEPTED', 'MAYBE');
const missingStatus = (i: number) => valid(i).replace(/<ex:Status>[^<]*<\/ex:Status>/, '');
const malformed = (i: number) => valid(i).replace('</ex:Receipt>', '');
const wrongRoot = () => '<?xml version="1.0"?>\n<Other xmlns="urn:xianyou:exchange:1.0"/>';
const empty = () => '';

/** 100 documents: mostly valid, with schema errors, parser errors (unlocated context lines) and an empty one. */
function mixed(n: number): string[] {
  const kinds = [
    valid,
    valid,
    valid,
    badStatus,
    valid,
    missingStatus,
    valid,
    malformed,
    wrongRoot,
    valid,
    empty,
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!(i));
}

function schema(): XsdSchema {
  const s = xsdSchema('commerce-receipt');
  if (!s) throw new Error('commerce-receipt.xsd missing');
  return s;
}

describe('validateXml batching', () => {
  it('gives every document of a mixed batch the result of validating it alone', async () => {
    const docs = mixed(22);
    const batched = await Promise.all(docs.map((d) => validateXml(d, 'commerce-receipt')));
    const alone = [];
    for (const d of docs) alone.push(await original(d));
    expect(batched).toEqual(alone);
    expect(batched.filter((r) => r.valid)).toHaveLength(12);
    expect(batched[3]!.errors[0]).toMatch(/^line \d+: .*Status.*MAYBE/);
    expect(batched[7]!.errors[0]).toMatch(/^line \d+: parser error/);
    for (const r of batched) expect(r.valid).toBe(r.errors.length === 0);
  });

  it('decides schema errors from the shared run itself when no parser error makes it ambiguous', async () => {
    const docs = [valid(1), badStatus(2), valid(3), missingStatus(4), wrongRoot(), valid(6)];
    const { batcher, sizes } = countingBatcher();
    const batched = await Promise.all(docs.map((d) => batcher.validate(schema(), d)));
    expect(sizes).toEqual([6]);
    const alone = [];
    for (const d of docs) alone.push(await original(d));
    expect(batched).toEqual(alone);
    expect(batched.map((r) => r.valid)).toEqual([true, false, true, false, false, true]);
  });

  it('answers 100 parallel calls correctly with far fewer xmllint runs', async () => {
    const docs = mixed(100);
    const expected = docs.map((d) =>
      d === '' ||
      d.includes('MAYBE') ||
      !d.includes('<ex:Status>') ||
      !d.includes('</ex:Receipt>') ||
      d.includes('<Other')
        ? false
        : true,
    );
    const { batcher, sizes } = countingBatcher();
    const results = await Promise.all(docs.map((d) => batcher.validate(schema(), d)));
    expect(results.map((r) => r.valid)).toEqual(expected);
    expect(await Promise.all(docs.map((d) => validateXml(d, 'commerce-receipt')))).toEqual(results);
    // Parser errors make a batch ambiguous for its failing documents, which are re-validated one by one.
    const failing = expected.filter((v) => !v).length;
    expect(sizes.length).toBeLessThan(10 + failing);
    expect(Math.max(...sizes)).toBe(64);
    expect(sizes.filter((n) => n > 1).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('keeps schemas apart when calls for different schemas interleave', async () => {
    const receipt = valid(1);
    const results = await Promise.all([
      validateXml(receipt, 'commerce-receipt'),
      validateXml(receipt, 'credit-batch-receipt'),
      validateXml(receipt, 'commerce-receipt'),
    ]);
    expect(results.map((r) => r.valid)).toEqual([true, false, true]);
  });

  it('refuses a document with a DOCTYPE before xmllint sees it', async () => {
    const hostile = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]>${valid(1).replace(/^<\?xml[^>]*\?>/, '')}`;
    const r = await validateXml(hostile, 'commerce-receipt');
    expect(r.valid).toBe(false);
    expect(r.errors.join(' ')).toMatch(/DOCTYPE/i);
    expect(runs).not.toHaveBeenCalled();
  });

  it('preloads only the XSDs a schema includes, transitively', () => {
    expect(schema().preload.map((f) => f.fileName)).toEqual(['exchange-common.xsd']);
    const files = new Map(
      [
        { fileName: 'a.xsd', contents: '<xs:include schemaLocation="b.xsd"/>' },
        { fileName: 'b.xsd', contents: "<xsd:import namespace='x' schemaLocation='./c.xsd'/>" },
        { fileName: 'c.xsd', contents: '<xs:include schemaLocation="a.xsd"/>' },
        { fileName: 'd.xsd', contents: '' },
      ].map((f) => [f.fileName, f]),
    );
    expect(xsdDependencies(files.get('a.xsd')!, files).map((f) => f.fileName)).toEqual(['b.xsd', 'c.xsd']);
  });
});

describe('XsdBatcher', () => {
  it('re-validates one by one when a batched run fails as a whole', async () => {
    const real = async (s: XsdSchema, docs: readonly { fileName: string; contents: string }[]) => {
      if (docs.length > 1) throw new Error('out of memory');
      const r = await validateXML({ xml: [...docs], schema: s.main, preload: [...s.preload] });
      return { valid: r.valid, rawOutput: r.rawOutput };
    };
    const runner = vi.fn(real);
    const b = new XsdBatcher({ windowMs: 20 }, runner);
    const docs = [valid(1), badStatus(2), valid(3)];
    const results = await Promise.all(docs.map((d) => b.validate(schema(), d)));
    expect(results.map((r) => r.valid)).toEqual([true, false, true]);
    expect(runner.mock.calls.map((c) => c[1].length)).toEqual([3, 1, 1, 1]);
  });

  it('rejects only the caller whose lone run throws', async () => {
    const runner = vi.fn(async (_s: XsdSchema, docs: readonly { fileName: string; contents: string }[]) => {
      if (docs.length > 1) return { valid: false, rawOutput: 'garbage\n' };
      if (docs[0]!.contents === 'boom') throw new Error('xmllint exited 5');
      return { valid: true, rawOutput: `${docs[0]!.fileName} validates\n` };
    });
    const b = new XsdBatcher({ windowMs: 20 }, runner);
    const [a, boom, c] = await Promise.allSettled(['x', 'boom', 'y'].map((d) => b.validate(schema(), d)));
    expect(a).toEqual({ status: 'fulfilled', value: { valid: true, errors: [] } });
    expect(boom.status).toBe('rejected');
    expect(c).toEqual({ status: 'fulfilled', value: { valid: true, errors: [] } });
  });

  it('never runs more than maxInFlight xmllint runs at once', async () => {
    let now = 0;
    let peak = 0;
    const runner = vi.fn(async (_s: XsdSchema, docs: readonly { fileName: string; contents: string }[]) => {
      now++;
      peak = Math.max(peak, now);
      await new Promise((r) => setTimeout(r, 10));
      now--;
      return { valid: true, rawOutput: docs.map((d) => `${d.fileName} validates\n`).join('') };
    });
    const b = new XsdBatcher({ windowMs: 1, maxBatch: 4, maxInFlight: 2 }, runner);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => b.validate(schema(), `d${i}`)));
    expect(results.every((r) => r.valid)).toBe(true);
    expect(peak).toBe(2);
    expect(Math.max(...runner.mock.calls.map((c) => c[1].length))).toBe(4);
  });
});

describe('attributeBatchOutput', () => {
  const names = ['b0-0/message.xml', 'b0-1/message.xml', 'b0-2/message.xml'];

  it('splits located errors per file and keeps the one-document format', () => {
    const raw = [
      "b0-0/message.xml:3: element Status: Schemas validity error : Element 'Status': bad",
      'b0-0/message.xml fails to validate',
      'b0-1/message.xml validates',
      "b0-2/message.xml:1: Schemas validity error : Element 'X': no: more: colons",
      'b0-2/message.xml fails to validate',
      '',
    ].join('\n');
    expect(attributeBatchOutput(raw, names)).toEqual([
      { valid: false, errors: ["line 3: element Status: Schemas validity error : Element 'Status': bad"] },
      { valid: true, errors: [] },
      { valid: false, errors: ["line 1: Schemas validity error : Element 'X': no: more: colons"] },
    ]);
  });

  it('leaves every failing document undecided when a line has no file location', () => {
    const raw = [
      'b0-0/message.xml:1: parser error : Document is empty',
      '',
      '^',
      'b0-1/message.xml validates',
      "b0-2/message.xml:1: Schemas validity error : Element 'X': bad",
      'b0-2/message.xml fails to validate',
      '',
    ].join('\n');
    expect(attributeBatchOutput(raw, names)).toEqual([undefined, { valid: true, errors: [] }, undefined]);
  });

  it('does not trust a file with neither marker nor one reported as valid with errors', () => {
    const raw = ['b0-1/message.xml:2: warning: odd', 'b0-1/message.xml validates', ''].join('\n');
    expect(attributeBatchOutput(raw, names)).toEqual([undefined, undefined, undefined]);
  });
});
