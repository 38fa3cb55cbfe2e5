import { parseJsonEnvelope } from '../shared/envelope.js';
import { ExchangeError } from '../shared/errors.js';
import {
  type PartnerBehaviour,
  type ProcessContext,
  type SimAnswer,
  SinkSimulator,
  type SimulatorOptions,
  shanghaiDay,
} from '../shared/sink-simulator.js';
import { type JsonSchemaName, validateJson } from '../shared/validate.js';
import { CULTURE_NOTICES_PATH } from './client.js';
import { CULTURE_RECEIVER } from './encoder.js';

const SCHEMA_BY_TYPE: Readonly<Record<string, JsonSchemaName>> = {
  INSPECTION_RESULT_NOTICE: 'culture-inspection-result-notice',
  BLACKLIST_NOTICE: 'culture-blacklist-notice',
  CASE_REFERRAL: 'culture-case-referral',
};

function json(status: number, body: unknown): SimAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

function unprocessable(errors: readonly { path: string; message: string }[]): SimAnswer {
  return json(422, { code: 422, errors });
}

/** "/payload/x: must …" from validateJson → `{ path, message }`. */
function splitError(e: string): { path: string; message: string } {
  const i = e.indexOf(': ');
  return i < 0 ? { path: '', message: e } : { path: e.slice(0, i), message: e.slice(i + 2) };
}

/**
 * Culture and tourism's behaviour: 200 / 409 / 422 as the contract says; the nightly 503 comes from the
 * `nightlyWindow` fault. Signature problems are answered 422 (the contract's only permanent status).
 */
export function cultureBehaviour(receiverCode: string = CULTURE_RECEIVER.code): PartnerBehaviour {
  return {
    partner: 'CULTURE',
    path: CULTURE_NOTICES_PATH,
    signatureRejected: (reason) => unprocessable([{ path: '', message: `signature: ${reason}` }]),
    async process(ctx: ProcessContext): Promise<SimAnswer> {
      let env;
      let doc: unknown;
      try {
        doc = JSON.parse(ctx.body.toString('utf8')) as unknown;
        env = parseJsonEnvelope(ctx.body.toString('utf8'));
      } catch (err) {
        return unprocessable([
          { path: '', message: err instanceof ExchangeError ? err.message : 'malformed JSON' },
        ]);
      }
      const schema = SCHEMA_BY_TYPE[env.header.messageType];
      if (!schema) return unprocessable([{ path: '/messageType', message: 'unknown message type' }]);
      const check = validateJson(doc, schema);
      if (!check.valid) return unprocessable(check.errors.map(splitError));
      if (env.header.receiver.code !== receiverCode) {
        return unprocessable([{ path: '/receiver/code', message: 'not this receiver' }]);
      }
      const prior = ctx.lookup(env.header.messageId);
      if (prior) {
        ctx.remember(prior);
        return json(409, { code: 409, receiptNo: prior.receiptNo });
      }
      if (ctx.chance(ctx.faults.rejectRate)) {
        return unprocessable([{ path: '/payload/subject/uscc', message: 'no such licensee' }]);
      }
      const day = shanghaiDay(ctx.now);
      const receiptNo = `WL${day}${String(ctx.nextSeq(`WL${day}`)).padStart(5, '0')}`;
      ctx.remember({ messageId: env.header.messageId, messageType: env.header.messageType, receiptNo });
      return json(200, { code: 0, receiptNo });
    },
  };
}

/**
 * Starts a culture (文化和旅游局) simulator. As the contract says, its nightly batch (23:30–00:30 Asia/Shanghai)
 * answers 503 + Retry-After: `faults` default to `{ nightlyWindow: true }`; inject `now` for deterministic tests.
 */
export async function startCultureSimulator(
  options: SimulatorOptions & { receiverCode?: string } = {},
): Promise<SinkSimulator> {
  const withDefaults = { ...options, faults: options.faults ?? { nightlyWindow: true } };
  return new SinkSimulator(cultureBehaviour(options.receiverCode), withDefaults).start();
}
