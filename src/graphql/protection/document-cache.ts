import type { DocumentNode } from 'graphql';

/**
 * A bounded LRU of parsed-and-validated documents, keyed by Apollo's `schemaHash:queryHash`
 * (sha256 of the text): Apollo skips parse and validation on a hit. It implements Apollo's
 * `KeyValueCache` shape (`get`/`set`/`delete`) so it can be given as `documentStore`, and counts
 * hits and misses for /metrics. The same cache serves graphql-ws (keyed by the query text's hash);
 * the direct path for valid HTTP queries (direct-query.ts) keeps an instance of its own.
 */
export class DocumentCache {
  private readonly map = new Map<string, DocumentNode>();

  constructor(
    readonly maxEntries: number,
    private readonly onLookup?: (hit: boolean) => void,
  ) {}

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.getSync(key);
  }

  getSync(key: string): DocumentNode | undefined {
    const v = this.map.get(key);
    this.onLookup?.(v !== undefined);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  async set(key: string, value: DocumentNode): Promise<void> {
    this.setSync(key, value);
  }

  setSync(key: string, value: DocumentNode): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  async delete(key: string): Promise<boolean> {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}
