/** Page frame shared by the three pages: title bar, navigation, language switch. */
import './style.css';
import { h } from './dom.js';
import { getLang, setLang, t } from './i18n.js';
import { ApiError, isUnavailable } from './api.js';
import { errorText } from './i18n.js';

/** Builds the header into `#app` and returns the main container. */
export function pageFrame(active: 'portal' | 'dashboard' | 'graphiql', extra: Node[] = []): HTMLElement {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  const link = (key: 'portal' | 'dashboard' | 'graphiql', href: string) =>
    h('a', { href, class: key === active ? 'active' : '' }, t(`nav.${key}`));
  const header = h(
    'header',
    { class: 'top' },
    h('div', { class: 'brand' }, t('app.title')),
    h('nav', {}, link('portal', '/'), link('dashboard', '/dashboard'), link('graphiql', '/graphiql')),
    h('div', { class: 'spacer' }),
    ...extra,
    h(
      'button',
      { class: 'btn ghost', id: 'lang-switch', onclick: () => setLang(getLang() === 'zh' ? 'en' : 'zh') },
      t('lang.switch'),
    ),
  );
  const main = h('main', {});
  const app = document.getElementById('app') as HTMLElement;
  app.replaceChildren(header, main);
  return main;
}

/** Panel states: what a panel shows while loading, when its module is missing, or on error. */
export type PanelState = 'loading' | 'ready' | 'unavailable' | 'error';

/** A titled panel with a body whose state is set by {@link runPanel}. */
export interface Panel {
  root: HTMLElement;
  body: HTMLElement;
  tools: HTMLElement;
  setState(state: PanelState, content?: Node | string): void;
}

/** Creates a panel; `id` becomes `data-panel` (tests and styling use it). */
export function panel(id: string, title: string, wide = false): Panel {
  const body = h('div', { class: 'panel-body' });
  const tools = h('div', { class: 'panel-tools' });
  const root = h(
    'section',
    { class: wide ? 'panel wide' : 'panel', 'data-panel': id, 'data-state': 'loading' },
    h('div', { class: 'panel-head' }, h('h2', {}, title), tools),
    body,
  );
  const setState = (state: PanelState, content?: Node | string) => {
    root.dataset.state = state;
    if (state === 'loading') body.replaceChildren(h('div', { class: 'muted' }, t('common.loading')));
    else if (state === 'unavailable')
      body.replaceChildren(h('div', { class: 'unavailable' }, t('common.unavailable')));
    else if (content !== undefined) body.replaceChildren(content);
  };
  setState('loading');
  return { root, body, tools, setState };
}

/** The error box for a failed request, in the current language. */
export function errorBox(error: unknown): HTMLElement {
  const text =
    error instanceof ApiError
      ? errorText(error.code, error.message, error.messageZh)
      : error instanceof Error
        ? error.message
        : String(error);
  return h('div', { class: 'error', role: 'alert' }, text);
}

/**
 * Loads a panel: shows loading, then the rendered content, "not available" when the server does
 * not know the fields (GRAPHQL_VALIDATION_FAILED), or the coded error.
 */
export async function runPanel<T>(
  p: Panel,
  load: () => Promise<T>,
  render: (data: T) => Node,
): Promise<void> {
  p.setState('loading');
  try {
    const data = await load();
    p.setState('ready', render(data));
  } catch (e) {
    if (isUnavailable(e)) p.setState('unavailable');
    else p.setState('error', errorBox(e));
  }
}
