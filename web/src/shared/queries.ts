/**
 * Every GraphQL operation the built-in pages send, in one place. Operations on modules that have
 * not landed yet fail validation (GRAPHQL_VALIDATION_FAILED) and their panels show "not available";
 * when a module lands under other field names, align the text here.
 */

/** The published item list (一单), anonymous. */
export const PUBLISHED_ITEMS = /* GraphQL */ `
  query PortalItems($first: Int!, $after: String, $filter: ItemFilter) {
    publishedItems(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        code
        publishedVersion
        published {
          name
          departmentCode
          categories
          method
          frequencyText
          ratioPercent
          legalBasis
          implementationCode
        }
      }
    }
  }
`;

export interface PublishedItemsData {
  publishedItems: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: {
      id: string;
      code: string;
      publishedVersion: number | null;
      published: {
        name: string;
        departmentCode: string;
        categories: string[];
        method: string;
        frequencyText: string;
        ratioPercent: string;
        legalBasis: string[];
        implementationCode: string;
      } | null;
    }[];
  };
}

/** Published inspection results (一公开), anonymous. */
export const PUBLISHED_RESULTS = /* GraphQL */ `
  query PortalResults($first: Int!, $filter: PublishedResultFilter) {
    publishedResults(first: $first, filter: $filter) {
      totalCount
      nodes {
        id
        title
        targetName
        category
        departmentCode
        inspectedOn
        outcome
        publishedOn
      }
    }
  }
`;

export interface PublishedResultsData {
  publishedResults: {
    totalCount: number;
    nodes: {
      id: string;
      title: string;
      targetName: string;
      category: string;
      departmentCode: string;
      inspectedOn: string;
      outcome: string;
      publishedOn: string | null;
    }[];
  };
}

/** Locked draws as they are announced (public subscription, replayed from the start with `since`). */
export const DRAW_LOCKED = /* GraphQL */ `
  subscription PortalDrawLocked($since: ID) {
    drawLocked(since: $since) {
      id
      at
      topic
      entityType
      entityId
      departmentCode
      payload
    }
  }
`;

/** The published record of one locked draw (JSON, the format of src/modules/draw/record.ts). */
export const PUBLISHED_DRAW_RECORD = /* GraphQL */ `
  query PortalDrawRecord($id: ID!) {
    publishedDrawRecord(id: $id)
  }
`;

export interface PublishedDrawRecordData {
  publishedDrawRecord: unknown;
}

/** The caller; proves a pasted token works. */
export const ME = /* GraphQL */ `
  query Me {
    me {
      sub
      role
      dept
      visibleJurisdictions
    }
  }
`;

export interface MeData {
  me: { sub: string; role: string; dept: string | null; visibleJurisdictions: string[] | null };
}

/** Roster size per category, one alias per category (sent in groups under the alias limit). */
export function rosterCountsQuery(categories: readonly string[]): string {
  const fields = categories
    .map((c) => `${c}: targets(first: 1, filter: { categories: [${c}] }) { totalCount }`)
    .join('\n');
  return `query RosterCounts {\n${fields}\n}`;
}

/** Entertainment venues per grade (ungraded counts as C under the rules, shown apart here). */
export const GRADE_COUNTS = /* GraphQL */ `
  query GradeCounts {
    A: targets(first: 1, filter: { categories: [ENTERTAINMENT], grades: [A] }) {
      totalCount
    }
    B: targets(first: 1, filter: { categories: [ENTERTAINMENT], grades: [B] }) {
      totalCount
    }
    C: targets(first: 1, filter: { categories: [ENTERTAINMENT], grades: [C] }) {
      totalCount
    }
    none: targets(first: 1, filter: { categories: [ENTERTAINMENT], ungraded: true }) {
      totalCount
    }
  }
`;

export type CountsData = Record<string, { totalCount: number }>;

/** Runs of scheduled jobs, newest first. */
export const JOB_RUNS = /* GraphQL */ `
  query JobRuns($first: Int!, $job: String) {
    jobRuns(first: $first, job: $job) {
      nodes {
        id
        job
        slot
        manual
        status
        startedAt
        finishedAt
        error
      }
    }
  }
`;

export interface JobRunRow {
  id: string;
  job: string;
  slot: string;
  manual: boolean;
  status: 'RUNNING' | 'DONE' | 'FAILED';
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface JobRunsData {
  jobRuns: { nodes: JobRunRow[] };
}

export const TRIGGER_JOB = /* GraphQL */ `
  mutation TriggerJob($job: String!) {
    triggerJob(job: $job)
  }
`;

/** Coverage against the rules per rule and period (required vs done). */
export const COVERAGE = /* GraphQL */ `
  query Coverage {
    ruleCoverage {
      ruleCode
      mode
      periodLabel
      roster
      required
      done
    }
  }
`;

export interface CoverageData {
  ruleCoverage: {
    ruleCode: string;
    mode: string;
    periodLabel: string;
    roster: number;
    required: number;
    done: number;
  }[];
}

/** Overdue targets from the coverage calendar. */
export const OVERDUE = /* GraphQL */ `
  query Overdue($first: Int!) {
    coverageDue(first: $first, filter: { overdueOnly: true }) {
      totalCount
      items {
        targetId
        name
        category
        jurisdictionCode
        ruleCode
        dueOn
        daysOverdue
      }
    }
  }
`;

export interface OverdueData {
  coverageDue: {
    totalCount: number;
    items: {
      targetId: string;
      name: string;
      category: string;
      jurisdictionCode: string;
      ruleCode: string;
      dueOn: string;
      daysOverdue: number;
    }[];
  };
}

/** Sampling plans with their draws (attempts), newest first. */
export const DRAWS = /* GraphQL */ `
  query Draws($first: Int!) {
    samplingPlans(first: $first) {
      nodes {
        id
        periodLabel
        plannedDate
        status
        leadDepartmentCode
        draws {
          id
          attempt
          status
          targetCount
          inspectorCount
          lockedAt
        }
      }
    }
  }
`;

export interface DrawsData {
  samplingPlans: {
    nodes: {
      id: string;
      periodLabel: string;
      plannedDate: string;
      status: string;
      leadDepartmentCode: string;
      draws: {
        id: string;
        attempt: number;
        status: string;
        targetCount: number;
        inspectorCount: number;
        lockedAt: string | null;
      }[];
    }[];
  };
}

/** Open deadlines of one department (rectification, publication, appeal, referral, blacklist). */
export const DEADLINES = /* GraphQL */ `
  query Deadlines($departmentCode: String!) {
    deadlines(departmentCode: $departmentCode) {
      kind
      title
      entityId
      dueOn
      status
    }
  }
`;

export interface DeadlinesData {
  deadlines: { kind: string; title: string; entityId: string; dueOn: string; status: string }[];
}

/** Partner health of the exchange hub. */
export const EXCHANGE_HEALTH = /* GraphQL */ `
  query ExchangeHealth {
    exchangePartnerHealth {
      partnerCode
      name
      enabled
      circuitOpen
      consecutiveFailures
      pending
      delivered24h
      dead
      p99LatencyMs
    }
  }
`;

export interface ExchangeHealthData {
  exchangePartnerHealth: {
    partnerCode: string;
    name: string;
    enabled: boolean;
    circuitOpen: boolean;
    consecutiveFailures: number;
    pending: number;
    delivered24h: number;
    dead: number;
    p99LatencyMs: number | null;
  }[];
}

export const DEAD_LETTERS = /* GraphQL */ `
  query DeadLetters($first: Int!) {
    exchangeDeadLetters(first: $first) {
      nodes {
        id
        partnerCode
        messageType
        subjectKey
        deadReason
        deadAt
      }
    }
  }
`;

export interface DeadLettersData {
  exchangeDeadLetters: {
    nodes: {
      id: string;
      partnerCode: string;
      messageType: string;
      subjectKey: string;
      deadReason: string | null;
      deadAt: string | null;
    }[];
  };
}

/** Sync runs of the source adapters. */
export const SYNC_RUNS = /* GraphQL */ `
  query SyncRuns($first: Int!) {
    syncRuns(first: $first) {
      nodes {
        id
        adapter
        status
        startedAt
        finishedAt
        fetched
        inserted
        updated
        quarantined
      }
    }
  }
`;

export interface SyncRunsData {
  syncRuns: {
    nodes: {
      id: string;
      adapter: string;
      status: string;
      startedAt: string;
      finishedAt: string | null;
      fetched: number;
      inserted: number;
      updated: number;
      quarantined: number;
    }[];
  };
}

/** The live feed: every topic a dashboard cares about, resumed with `since`. */
export const EVENTS = /* GraphQL */ `
  subscription Live($topics: [String!]!, $since: ID) {
    events(topics: $topics, since: $since) {
      id
      at
      topic
      entityType
      entityId
      departmentCode
    }
  }
`;

export interface LiveEvent {
  id: string;
  at: string;
  topic: string;
  entityType: string;
  entityId: string;
  departmentCode: string | null;
  payload?: Record<string, unknown>;
}
