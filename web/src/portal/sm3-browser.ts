/**
 * SM3 for the draw verifier in the browser, from sm-crypto-v2 (pure JS, bundled). Its `sm3`
 * answers hex; the draw core wants the 32 digest bytes.
 */
import { sm3 } from 'sm-crypto-v2';
import { fromHex, type HashFn } from '../../../src/modules/draw/algorithm.js';

/** The {@link HashFn} the browser verifier injects into the draw core. */
export const sm3Browser: HashFn = (data) => fromHex(sm3(data));
