/**
 * Live updates over graphql-ws. The server resumes from `since`, so after a dropped connection
 * (or a landing on another replica) we subscribe again from the last event id we saw and miss
 * nothing; events already seen are dropped by id.
 */
import { createClient, type Client } from 'graphql-ws/client';
import { EVENTS, type LiveEvent } from '../shared/queries.js';

/** Topics the reference dashboard follows; topics no module publishes yet simply stay quiet. */
export const DASHBOARD_TOPICS = [
  'targetChanged',
  'itemPublished',
  'drawLocked',
  'inspectionAssigned',
  'publicationPublished',
  'syncRunFinished',
  'deadLetter',
];

/** What the feed reports to the page. */
export interface LiveHandlers {
  onEvent(event: LiveEvent): void;
  onStatus(up: boolean): void;
}

/** Follows the topics until `stop()`; reconnects with capped backoff. */
export function followEvents(token: string, topics: string[], handlers: LiveHandlers): { stop(): void } {
  return followSubscription(
    token,
    EVENTS,
    (since) => ({ topics, since }),
    (data) => (data as { events?: LiveEvent }).events,
    handlers,
  );
}

/**
 * Follows any subscription that yields domain events and takes `since` (`events`, `drawLocked`);
 * anonymous when `token` is null.
 */
export function followSubscription(
  token: string | null,
  query: string,
  variables: (since: string | null) => Record<string, unknown>,
  pick: (data: unknown) => LiveEvent | undefined,
  handlers: LiveHandlers,
): { stop(): void } {
  let lastId: string | null = null;
  let stopped = false;
  let client: Client | null = null;
  let attempt = 0;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

  const connect = () => {
    if (stopped) return;
    client = createClient({
      url,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      // Reconnection is ours: graphql-ws would resubscribe with the old `since`.
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => {
          attempt = 0;
          handlers.onStatus(true);
        },
      },
    });
    client.subscribe(
      { query, variables: variables(lastId) },
      {
        next: (result) => {
          const event = result.data ? pick(result.data) : undefined;
          if (!event) return;
          if (lastId !== null && !isAfter(event.id, lastId)) return;
          lastId = event.id;
          handlers.onEvent(event);
        },
        error: () => retry(),
        complete: () => retry(),
      },
    );
  };

  const retry = () => {
    if (stopped) return;
    handlers.onStatus(false);
    void client?.dispose();
    client = null;
    attempt += 1;
    window.setTimeout(connect, Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)));
  };

  connect();
  return {
    stop: () => {
      stopped = true;
      void client?.dispose();
    },
  };
}

/** Event ids are increasing integers (as strings); compare them as numbers of any size. */
function isAfter(id: string, last: string): boolean {
  if (!/^\d+$/.test(id) || !/^\d+$/.test(last)) return id !== last;
  return id.length !== last.length ? id.length > last.length : id > last;
}
