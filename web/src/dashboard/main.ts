/**
 * The reference dashboard (login by pasting a token, kept in sessionStorage): roster, coverage,
 * overdue, draws, deadlines, exchange health, dead letters, sync runs, job runs and a live feed.
 * Each panel sends its own operation, so a module that has not landed yet only greys out its panel.
 */
import { ApiError, gql } from '../shared/api.js';
import { formatTime, h, replace } from '../shared/dom.js';
import { CATEGORY_CODES, categoryName, t } from '../shared/i18n.js';
import { errorBox, pageFrame, panel, runPanel, type Panel } from '../shared/layout.js';
import {
  COVERAGE,
  DEAD_LETTERS,
  DEADLINES,
  DRAWS,
  EXCHANGE_HEALTH,
  GRADE_COUNTS,
  JOB_RUNS,
  ME,
  OVERDUE,
  rosterCountsQuery,
  SYNC_RUNS,
  TRIGGER_JOB,
  type CountsData,
  type CoverageData,
  type DeadLettersData,
  type DeadlinesData,
  type DrawsData,
  type ExchangeHealthData,
  type JobRunRow,
  type JobRunsData,
  type LiveEvent,
  type MeData,
  type OverdueData,
  type SyncRunsData,
} from '../shared/queries.js';
import { dataTable } from '../shared/table.js';
import { TOKEN_KEY } from '../shared/token.js';
import { barChart, pieChart } from './charts.js';
import { DASHBOARD_TOPICS, followEvents } from './live.js';

/** The alias limit is 15 per operation: roster counts go in groups of 8 categories. */
const ROSTER_GROUP = 8;

type DrawRow = {
  plan: DrawsData['samplingPlans']['nodes'][number];
  draw: DrawsData['samplingPlans']['nodes'][number]['draws'][number] | null;
};

function badge(text: string): HTMLElement {
  return h('span', { class: `badge ${text}` }, text);
}

function showLogin(message?: Node): void {
  const main = pageFrame('dashboard');
  const tokenArea = h('textarea', {
    id: 'token-input',
    placeholder: 'eyJhbGciOi…',
    'aria-label': t('dash.login.token'),
  });
  const note = h('div', {}, message ?? '');
  main.className = 'single';
  main.append(
    h(
      'section',
      { class: 'panel login', 'data-panel': 'login' },
      h('h2', {}, t('dash.login')),
      h('label', { for: 'token-input' }, t('dash.login.token')),
      tokenArea,
      h(
        'div',
        { class: 'filters' },
        h(
          'button',
          {
            class: 'btn',
            id: 'login-submit',
            onclick: () => {
              const token = tokenArea.value.trim().replace(/^Bearer\s+/i, '');
              if (!token) return;
              sessionStorage.setItem(TOKEN_KEY, token);
              void start(token);
            },
          },
          t('dash.login.submit'),
        ),
      ),
      note,
    ),
  );
}

async function start(token: string): Promise<void> {
  let me: MeData['me'];
  try {
    me = (await gql<MeData>(ME, {}, token)).me;
    if (me.role === 'PUBLIC') throw new ApiError('UNAUTHENTICATED', 'a staff token is required', '请先登录');
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(errorBox(e));
    return;
  }
  const liveStatus = h('span', { class: 'live-status', id: 'live-status', 'data-live': 'down' }, '');
  const main = pageFrame('dashboard', [
    liveStatus,
    h('span', { id: 'whoami' }, t('dash.whoami', { role: me.role, dept: me.dept ?? '—' })),
    h(
      'button',
      {
        class: 'btn ghost',
        id: 'logout',
        onclick: () => {
          sessionStorage.removeItem(TOKEN_KEY);
          location.reload();
        },
      },
      t('dash.logout'),
    ),
  ]);
  const q = <T>(query: string, variables: Record<string, unknown> = {}) => gql<T>(query, variables, token);
  const loaders: (() => Promise<void>)[] = [];
  const add = (p: Panel, load: () => Promise<void>) => {
    main.append(p.root);
    p.tools.append(h('button', { class: 'btn small', onclick: () => void load() }, t('common.refresh')));
    loaders.push(load);
  };

  const roster = panel('roster', t('dash.roster'), true);
  add(roster, () =>
    runPanel(
      roster,
      async () => {
        const groups: string[][] = [];
        for (let i = 0; i < CATEGORY_CODES.length; i += ROSTER_GROUP)
          groups.push(CATEGORY_CODES.slice(i, i + ROSTER_GROUP));
        const answers = await Promise.all(groups.map((g) => q<CountsData>(rosterCountsQuery(g))));
        const counts = Object.assign({}, ...answers) as CountsData;
        return CATEGORY_CODES.map((c) => ({ category: c, count: counts[c]?.totalCount ?? 0 }));
      },
      (rows) =>
        h(
          'div',
          {},
          barChart(
            'roster',
            rows.map((r) => categoryName(r.category)),
            [{ name: t('col.count'), values: rows.map((r) => r.count) }],
          ),
          dataTable(
            'roster-by-category',
            [
              { title: t('col.category'), value: (r) => categoryName(r.category) },
              { title: t('col.code'), value: (r) => r.category },
              { title: t('col.count'), value: (r) => r.count },
            ],
            rows,
          ),
        ),
    ),
  );

  const grades = panel('grades', t('dash.grades'));
  add(grades, () =>
    runPanel(
      grades,
      () => q<CountsData>(GRADE_COUNTS),
      (data) => {
        const rows = (['A', 'B', 'C', 'none'] as const).map((g) => ({
          grade: g === 'none' ? t('grade.none') : g,
          count: data[g]?.totalCount ?? 0,
        }));
        return h(
          'div',
          {},
          pieChart(
            'grades',
            rows.map((r) => ({ name: r.grade, value: r.count })),
          ),
          dataTable(
            'entertainment-grades',
            [
              { title: t('col.grade'), value: (r) => r.grade },
              { title: t('col.count'), value: (r) => r.count },
            ],
            rows,
          ),
        );
      },
    ),
  );

  const coverage = panel('coverage', t('dash.coverage'));
  add(coverage, () =>
    runPanel(
      coverage,
      () => q<CoverageData>(COVERAGE),
      (data) => {
        const rows = data.ruleCoverage;
        return h(
          'div',
          {},
          barChart(
            'coverage',
            rows.map((r) => `${r.ruleCode} ${r.periodLabel}`),
            [
              { name: t('col.required'), values: rows.map((r) => r.required) },
              { name: t('col.done'), values: rows.map((r) => r.done) },
            ],
          ),
          dataTable(
            'coverage',
            [
              { title: t('col.code'), value: (r) => r.ruleCode },
              { title: t('col.period'), value: (r) => r.periodLabel },
              { title: t('col.count'), value: (r) => r.roster },
              { title: t('col.required'), value: (r) => r.required },
              { title: t('col.done'), value: (r) => r.done },
              // Integer percent from integers: no float is stored or sent.
              {
                title: t('col.rate'),
                value: (r) => (r.required === 0 ? '' : `${Math.floor((r.done * 100) / r.required)}%`),
              },
            ],
            rows,
          ),
        );
      },
    ),
  );

  const overdue = panel('overdue', t('dash.overdue'));
  add(overdue, () =>
    runPanel(
      overdue,
      () => q<OverdueData>(OVERDUE, { first: 100 }),
      (data) =>
        dataTable(
          'overdue-targets',
          [
            { title: t('col.target'), value: (r) => r.name },
            { title: t('col.category'), value: (r) => categoryName(r.category) },
            { title: t('col.department'), value: (r) => r.jurisdictionCode },
            { title: t('col.code'), value: (r) => r.ruleCode },
            { title: t('col.due'), value: (r) => r.dueOn },
            { title: t('col.overdue'), value: (r) => r.daysOverdue },
          ],
          data.coverageDue.items,
        ),
    ),
  );

  const draws = panel('draws', t('dash.draws'));
  add(draws, () =>
    runPanel(
      draws,
      () => q<DrawsData>(DRAWS, { first: 50 }),
      (data) => {
        const rows = data.samplingPlans.nodes.flatMap((plan): DrawRow[] =>
          plan.draws.length === 0 ? [{ plan, draw: null }] : plan.draws.map((draw) => ({ plan, draw })),
        );
        return dataTable<DrawRow>(
          'draws',
          [
            { title: t('col.plan'), value: (r) => `${r.plan.leadDepartmentCode} ${r.plan.periodLabel}` },
            { title: t('col.date'), value: (r) => r.plan.plannedDate },
            {
              title: t('col.status'),
              value: (r) => r.draw?.status ?? r.plan.status,
              render: (r) => badge(r.draw?.status ?? r.plan.status),
            },
            { title: t('col.count'), value: (r) => r.draw?.targetCount ?? null },
            { title: t('col.time'), value: (r) => formatTime(r.draw?.lockedAt) },
          ],
          rows,
        );
      },
    ),
  );

  const deadlines = panel('deadlines', t('dash.deadlines'));
  add(deadlines, () =>
    runPanel(
      deadlines,
      () => q<DeadlinesData>(DEADLINES, { departmentCode: me.dept ?? 'ZA' }),
      (data) =>
        dataTable(
          'deadlines',
          [
            { title: t('col.entity'), value: (r) => r.title },
            { title: t('col.topic'), value: (r) => r.kind },
            { title: t('col.due'), value: (r) => r.dueOn },
            { title: t('col.status'), value: (r) => r.status, render: (r) => badge(r.status) },
          ],
          data.deadlines,
        ),
    ),
  );

  const exchange = panel('exchange', t('dash.exchange'));
  add(exchange, () =>
    runPanel(
      exchange,
      () => q<ExchangeHealthData>(EXCHANGE_HEALTH),
      (data) => {
        const rows = data.exchangePartnerHealth;
        return h(
          'div',
          {},
          barChart(
            'exchange',
            rows.map((r) => r.name),
            [
              { name: 'delivered 24h', values: rows.map((r) => r.delivered24h) },
              { name: 'pending', values: rows.map((r) => r.pending) },
              { name: t('dash.deadLetters'), values: rows.map((r) => r.dead) },
            ],
          ),
          dataTable(
            'exchange-health',
            [
              { title: t('col.partner'), value: (r) => r.name },
              { title: t('col.code'), value: (r) => r.partnerCode },
              {
                title: t('col.status'),
                value: (r) => (r.circuitOpen ? 'down' : 'up'),
                render: (r) => badge(r.circuitOpen ? 'down' : 'up'),
              },
              { title: 'pending', value: (r) => r.pending },
              { title: 'delivered 24h', value: (r) => r.delivered24h },
              { title: t('dash.deadLetters'), value: (r) => r.dead },
              { title: 'p99 ms', value: (r) => r.p99LatencyMs },
            ],
            rows,
          ),
        );
      },
    ),
  );

  const deadLetters = panel('dead-letters', t('dash.deadLetters'));
  add(deadLetters, () =>
    runPanel(
      deadLetters,
      () => q<DeadLettersData>(DEAD_LETTERS, { first: 100 }),
      (data) =>
        dataTable(
          'dead-letters',
          [
            { title: t('col.partner'), value: (r) => r.partnerCode },
            { title: t('col.topic'), value: (r) => r.messageType },
            { title: t('col.entity'), value: (r) => r.subjectKey },
            { title: t('col.reason'), value: (r) => r.deadReason },
            { title: t('col.time'), value: (r) => formatTime(r.deadAt) },
          ],
          data.exchangeDeadLetters.nodes,
        ),
    ),
  );

  const syncRuns = panel('sync-runs', t('dash.syncRuns'));
  add(syncRuns, () =>
    runPanel(
      syncRuns,
      () => q<SyncRunsData>(SYNC_RUNS, { first: 50 }),
      (data) =>
        dataTable(
          'sync-runs',
          [
            { title: t('col.source'), value: (r) => r.adapter },
            { title: t('col.status'), value: (r) => r.status, render: (r) => badge(r.status) },
            { title: t('col.started'), value: (r) => formatTime(r.startedAt) },
            { title: t('col.finished'), value: (r) => formatTime(r.finishedAt) },
            {
              title: t('col.counts'),
              value: (r) => `${r.fetched}/${r.inserted}/${r.updated}/${r.quarantined}`,
            },
          ],
          data.syncRuns.nodes,
        ),
    ),
  );

  const jobs = panel('job-runs', t('dash.jobRuns'), true);
  const jobName = h('input', { id: 'job-name', placeholder: t('dash.jobs.name') });
  const jobProgress = h('div', { class: 'progress', id: 'job-progress' });
  const runJob = h('button', { class: 'btn small', id: 'job-run' }, t('dash.jobs.run'));
  jobs.tools.append(jobName, runJob, jobProgress);
  const loadJobs = () =>
    runPanel(
      jobs,
      () => q<JobRunsData>(JOB_RUNS, { first: 100 }),
      (data) => {
        const rows = data.jobRuns.nodes;
        const byStatus = ['DONE', 'FAILED', 'RUNNING'].map((s) => ({
          name: s,
          value: rows.filter((r) => r.status === s).length,
        }));
        return h(
          'div',
          {},
          rows.length > 0 ? pieChart('job-status', byStatus) : null,
          dataTable<JobRunRow>(
            'job-runs',
            [
              { title: t('col.job'), value: (r) => r.job },
              { title: t('col.status'), value: (r) => r.status, render: (r) => badge(r.status) },
              { title: t('col.slot'), value: (r) => formatTime(r.slot) },
              { title: t('col.started'), value: (r) => formatTime(r.startedAt) },
              { title: t('col.finished'), value: (r) => formatTime(r.finishedAt) },
              { title: t('col.errorText'), value: (r) => r.error },
            ],
            rows,
          ),
        );
      },
    );
  add(jobs, loadJobs);
  runJob.addEventListener('click', () => {
    const name = jobName.value.trim();
    if (!name) return;
    runJob.disabled = true;
    const started = Date.now();
    const label = h('span', {}, t('dash.jobs.progress', { s: 0 }));
    replace(jobProgress, h('progress', {}), label);
    const finish = (content: Node | string) => {
      runJob.disabled = false;
      replace(jobProgress, content);
      void loadJobs();
    };
    q<{ triggerJob: string }>(TRIGGER_JOB, { job: name })
      .then(async ({ triggerJob: runId }) => {
        // A job run has no progress events yet: poll its row until it leaves RUNNING.
        for (;;) {
          await new Promise((r) => window.setTimeout(r, 500));
          label.textContent = t('dash.jobs.progress', { s: Math.round((Date.now() - started) / 1000) });
          const runs = await q<JobRunsData>(JOB_RUNS, { first: 20, job: name });
          const run = runs.jobRuns.nodes.find((r) => r.id === runId);
          if (run && run.status !== 'RUNNING') {
            finish(h('span', { 'data-job-status': run.status }, t('dash.jobs.done', { status: run.status })));
            return;
          }
        }
      })
      .catch((e: unknown) => finish(errorBox(e)));
  });

  const live = panel('live', t('dash.live'), true);
  main.append(live.root);
  const feed: LiveEvent[] = [];
  const renderFeed = () =>
    live.setState(
      'ready',
      dataTable<LiveEvent>(
        'live-events',
        [
          { title: 'id', value: (e) => e.id },
          { title: t('col.time'), value: (e) => formatTime(e.at) },
          { title: t('col.topic'), value: (e) => e.topic },
          { title: t('col.entity'), value: (e) => `${e.entityType} ${e.entityId}` },
          { title: t('col.department'), value: (e) => e.departmentCode },
        ],
        feed,
      ),
    );
  renderFeed();

  let refreshTimer = 0;
  followEvents(token, DASHBOARD_TOPICS, {
    onEvent: (event) => {
      feed.unshift(event);
      if (feed.length > 200) feed.length = 200;
      renderFeed();
      // Bursts (a sync run touches many targets) refresh the panels once.
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(() => loaders.forEach((l) => void l()), 1500);
    },
    onStatus: (up) => {
      liveStatus.dataset.live = up ? 'up' : 'down';
      liveStatus.textContent = up ? `● ${t('dash.live.connected')}` : `○ ${t('dash.live.reconnecting')}`;
    },
  });

  await Promise.all(loaders.map((l) => l()));
}

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) void start(saved);
else showLogin();
