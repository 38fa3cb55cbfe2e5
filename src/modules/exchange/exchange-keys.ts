import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Sm2Keyring,
  type SignerKey,
  generateSm2KeyPair,
  sm2PublicKeyPemFromPrivate,
} from '../../../adapters/shared/sm2.js';
import type { AppConfig } from '../../config/config.js';

/** Our signing keys as loaded: the keyring plus where each key came from, for the `exchange_signing_key` table. */
export interface LoadedSigningKeys {
  readonly keyring: Sm2Keyring;
  readonly keys: readonly (SignerKey & { path: string; publicKeyPem: string })[];
}

const LOCAL_KEY_FILE = 'exchange-sm2-signing.pem';
const LOCAL_VALID_FROM = new Date('2020-01-01T00:00:00+08:00');

/**
 * Reads the configured SM2 signing keys (PKCS#8 PEM files). With none configured, one key is generated once into
 * the data directory for local use (like the other local secrets), key id `local-1`.
 *
 * @throws ExchangeError('SM2_KEY_INVALID') for a file that is not an SM2 private key; fs errors for missing files.
 */
export function loadSigningKeys(
  config: Pick<AppConfig, 'exchangeSigningKeys' | 'dataDir'>,
): LoadedSigningKeys {
  let specs = config.exchangeSigningKeys;
  if (specs.length === 0) {
    const file = path.join(config.dataDir, LOCAL_KEY_FILE);
    if (!existsSync(file)) {
      mkdirSync(config.dataDir, { recursive: true });
      writeFileSync(file, generateSm2KeyPair().privateKeyPem, { mode: 0o600 });
    }
    specs = [{ keyId: 'local-1', path: file, validFrom: LOCAL_VALID_FROM, validTo: null }];
  }
  const keys = specs.map((s) => {
    const privateKeyPem = readFileSync(s.path, 'utf8');
    return {
      keyId: s.keyId,
      privateKeyPem,
      validFrom: s.validFrom,
      validTo: s.validTo,
      path: s.path,
      publicKeyPem: sm2PublicKeyPemFromPrivate(privateKeyPem),
    };
  });
  return { keyring: new Sm2Keyring(keys), keys };
}
