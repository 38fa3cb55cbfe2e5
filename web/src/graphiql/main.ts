/**
 * Self-hosted GraphiQL (graphiql 3 + React 18), bundled: no CDN. The token field above the
 * editor sets the Authorization header for HTTP and the connection params for subscriptions.
 */
import 'graphiql/graphiql.css';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { h } from '../shared/dom.js';
import { t } from '../shared/i18n.js';
import { pageFrame } from '../shared/layout.js';
import { TOKEN_KEY } from '../shared/token.js';

const main = pageFrame('graphiql');
main.className = 'single';
const tokenInput = h('input', {
  id: 'graphiql-token',
  type: 'password',
  placeholder: 'eyJhbGciOi…',
  'aria-label': t('graphiql.token'),
});
tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
const mount = h('div', { id: 'graphiql-root' });
main.append(
  h(
    'div',
    { class: 'graphiql-bar' },
    h('label', { for: 'graphiql-token' }, t('graphiql.token')),
    tokenInput,
    h('button', { class: 'btn', id: 'graphiql-apply', onclick: () => render() }, t('graphiql.apply')),
  ),
  mount,
);

const root: Root = createRoot(mount);
let generation = 0;

const DEFAULT_QUERY = '# 双随机一公开 GraphQL API\nquery {\n  me { sub role dept }\n}\n';
const QUERY_KEY = 'shuangsui.graphiql.query';

function render(): void {
  const token = tokenInput.value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  const authorization = token ? `Bearer ${token}` : undefined;
  const fetcher = createGraphiQLFetcher({
    url: '/graphql',
    subscriptionUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    headers: authorization ? { authorization } : {},
    wsConnectionParams: authorization ? { authorization } : {},
  });
  generation += 1;
  // A new key remounts GraphiQL so the schema is fetched again with the new token.
  root.render(
    createElement(GraphiQL, {
      key: generation,
      fetcher,
      // Passed explicitly: on a re-mount GraphiQL would otherwise restore an empty stored tab.
      query: sessionStorage.getItem(QUERY_KEY) || DEFAULT_QUERY,
      onEditQuery: (q: string) => sessionStorage.setItem(QUERY_KEY, q),
      defaultQuery: DEFAULT_QUERY,
      isHeadersEditorEnabled: true,
    }),
  );
}

render();
