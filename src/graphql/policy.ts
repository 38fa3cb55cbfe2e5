import type { AuthChecker } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role, type Principal } from './auth.js';
import { ForbiddenError, UnauthenticatedError } from '../shared/errors.js';
import { Department, DepartmentKind } from '../modules/org/department.entity.js';

const { ADMIN, SUPERVISOR, INSPECTOR, ANALYST, EXCHANGE, PUBLIC } = Role;
const STAFF = [ADMIN, SUPERVISOR, INSPECTOR, ANALYST];

/**
 * The authorization policy: every protected operation, by `Type.field`, and the roles that may
 * call it. This is the one place roles are decided; department scope is applied by `Scope` below.
 * A field marked @Authorized() that is missing here is refused, and the policy test fails.
 */
export const POLICY: Record<string, readonly Role[]> = {
  // org
  'Query.departments': [...STAFF, EXCHANGE],
  'Mutation.upsertDepartment': [ADMIN],
  // items (一单); the published list is public through publishedItems
  'Query.items': STAFF,
  'Query.publishedItems': [...STAFF, EXCHANGE, PUBLIC],
  'Mutation.createItem': [ADMIN, SUPERVISOR],
  'Mutation.updateItem': [ADMIN, SUPERVISOR],
  'Mutation.publishItem': [ADMIN, SUPERVISOR],
  'Mutation.unpublishItem': [ADMIN, SUPERVISOR],
  'Mutation.archiveItem': [ADMIN],
  // rosters (两库)
  'Query.targets': STAFF,
  'Target.lastInspection': STAFF,
  'Query.persons': [ADMIN, SUPERVISOR, INSPECTOR, ANALYST],
  'Query.inspectors': STAFF,
  'Query.jointPools': STAFF,
  'Mutation.createTarget': [ADMIN, SUPERVISOR, INSPECTOR],
  'Mutation.updateTarget': [ADMIN, SUPERVISOR, INSPECTOR],
  'Mutation.archiveTarget': [ADMIN, SUPERVISOR],
  'Mutation.linkPerson': [ADMIN, SUPERVISOR, INSPECTOR],
  'Mutation.createInspector': [ADMIN, SUPERVISOR],
  'Mutation.updateInspector': [ADMIN, SUPERVISOR],
  'Mutation.archiveInspector': [ADMIN, SUPERVISOR],
  'Mutation.createJointPool': [ADMIN],
  'Mutation.declareRelationship': [ADMIN, SUPERVISOR, INSPECTOR],
  // personal data in clear (each read is logged with its purpose)
  'Person.idNumber': [ADMIN, SUPERVISOR, INSPECTOR],
  'Person.phone': [ADMIN, SUPERVISOR, INSPECTOR],
  // audit
  'Query.auditTrail': [ADMIN, SUPERVISOR],
  'Query.verifyAuditChain': [ADMIN],
  'Query.node': [...STAFF, EXCHANGE],
  'Query.me': [...STAFF, EXCHANGE, PUBLIC],
  'Mutation.triggerJob': [ADMIN],
  'Query.jobRuns': [ADMIN, SUPERVISOR, ANALYST],
  // protection (trusted documents)
  'Mutation.registerTrustedDocument': [ADMIN],
  'Query.trustedDocuments': [ADMIN, SUPERVISOR, ANALYST],
  'Query.unknownOperations': [ADMIN, SUPERVISOR, ANALYST],
  // exchange hub
  'Query.exchangeMessages': [ADMIN, SUPERVISOR, ANALYST, EXCHANGE],
  'Query.exchangeDeadLetters': [ADMIN, SUPERVISOR, ANALYST, EXCHANGE],
  'Query.exchangeHeldEvents': [ADMIN, SUPERVISOR, ANALYST, EXCHANGE],
  'Query.exchangePartnerHealth': [ADMIN, SUPERVISOR, ANALYST, EXCHANGE],
  'Query.exchangeIntakes': [ADMIN, SUPERVISOR],
  'Query.exchangeRoutes': [ADMIN],
  'Mutation.redriveMessage': [ADMIN, EXCHANGE],
  'Mutation.redriveCreditRecord': [ADMIN, EXCHANGE],
  'Mutation.correctAndResend': [ADMIN, EXCHANGE],
  'Mutation.decideIntake': [ADMIN, SUPERVISOR],
  'Mutation.upsertExchangeRoute': [ADMIN],
  'Mutation.deleteExchangeRoute': [ADMIN],
  // sampling (双随机): rules, calendar, coverage, plans, draws; the locked record is public
  'Query.samplingRules': STAFF,
  'Mutation.saveSamplingRule': [ADMIN],
  'Query.calendarDays': STAFF,
  'Mutation.setCalendarDay': [ADMIN],
  'Query.coverageDue': STAFF,
  'Query.ruleCoverage': STAFF,
  'Query.samplingPlans': STAFF,
  'Query.samplingPlan': STAFF,
  'Mutation.createSamplingPlan': [ADMIN, SUPERVISOR],
  'Query.draw': STAFF,
  'Mutation.commitDraw': [ADMIN, SUPERVISOR],
  'Mutation.runDraw': [ADMIN, SUPERVISOR],
  'Mutation.lockDraw': [ADMIN, SUPERVISOR],
  'Query.verifyDraw': STAFF,
  'Query.publishedDrawRecord': [...STAFF, EXCHANGE, PUBLIC],
  'Query.drawAssignments': STAFF,
  'Mutation.requestAssignmentChange': [ADMIN, SUPERVISOR],
  'Mutation.decideAssignmentChange': [SUPERVISOR],
  'Mutation.fileRecusalRequest': [ADMIN, SUPERVISOR, INSPECTOR],
  'Mutation.decideRecusalRequest': [ADMIN, SUPERVISOR],
  'Query.pendingRecusalRequests': [ADMIN, SUPERVISOR, ANALYST],
  // dashboard (aggregates; each subject narrows roles further)
  'Query.aggregate': [ADMIN, SUPERVISOR, INSPECTOR, ANALYST],
  // sync (inbound sources)
  'Query.syncRuns': [ADMIN, SUPERVISOR, ANALYST],
  'Query.quarantinedRecords': [ADMIN, SUPERVISOR],
  'Mutation.runSync': [ADMIN, SUPERVISOR],
  'Subscription.syncRunFinished': [ADMIN, SUPERVISOR, ANALYST],
  // inspections, review, measures, publication (一公开), appeals, referrals, credit (issue 4)
  'Query.inspections': STAFF,
  'Query.inspection': STAFF,
  'Query.deadlines': [ADMIN, SUPERVISOR, INSPECTOR, ANALYST],
  'Mutation.createAdHocInspection': [ADMIN, SUPERVISOR, INSPECTOR],
  'Mutation.startInspection': [SUPERVISOR, INSPECTOR],
  'Mutation.recordInspectionResult': [SUPERVISOR, INSPECTOR],
  'Mutation.submitInspection': [SUPERVISOR, INSPECTOR],
  'Mutation.returnInspection': [SUPERVISOR],
  'Mutation.approveInspection': [SUPERVISOR],
  'Mutation.closeInspection': [ADMIN, SUPERVISOR],
  'Query.publishedResults': [...STAFF, EXCHANGE, PUBLIC],
  'Query.publications': STAFF,
  'Mutation.publishResult': [ADMIN, SUPERVISOR],
  'Mutation.correctPublication': [ADMIN, SUPERVISOR],
  'Mutation.withdrawPublication': [ADMIN, SUPERVISOR],
  'Mutation.fileAppeal': [PUBLIC],
  'Query.appealStatus': [PUBLIC, ADMIN, SUPERVISOR],
  'Query.appeals': [ADMIN, SUPERVISOR, ANALYST],
  'Mutation.decideAppeal': [ADMIN, SUPERVISOR],
  'Query.referrals': [ADMIN, SUPERVISOR, INSPECTOR, ANALYST],
  'Mutation.proposeReferral': [SUPERVISOR, INSPECTOR],
  'Mutation.decideReferral': [SUPERVISOR],
  'Mutation.markReferralTransferred': [SUPERVISOR, INSPECTOR],
  'Query.creditFacts': STAFF,
  'Query.blacklist': STAFF,
  'Mutation.proposeBlacklist': [SUPERVISOR, INSPECTOR],
  'Mutation.serveBlacklistNotice': [SUPERVISOR, INSPECTOR],
  'Mutation.recordBlacklistObjection': [SUPERVISOR, INSPECTOR],
  'Mutation.decideBlacklist': [SUPERVISOR],
  'Mutation.removeBlacklistEntry': [SUPERVISOR],
  // official documents (文书, PDF) and scorecards (督促)
  'Mutation.issueDocument': [ADMIN, SUPERVISOR, INSPECTOR],
  'Query.officialDocuments': STAFF,
  'Query.scorecards': [ADMIN, SUPERVISOR, ANALYST],
  // @register:policy (group by module, one comment line naming the module)
};

/** type-graphql auth checker: looks the field up in POLICY; unknown fields are refused. */
export const policyAuthChecker: AuthChecker<{ user: Principal }> = ({ context, info }) => {
  const key = `${info.parentType.name}.${info.fieldName}`;
  const allowed = POLICY[key];
  if (!allowed) throw new ForbiddenError(`no policy for ${key}`);
  if (allowed.includes(context.user.role)) return true;
  if (context.user.role === Role.PUBLIC) throw new UnauthenticatedError();
  throw new ForbiddenError(`role ${context.user.role} may not use ${key}`);
};

/** What a scope reads of the caller's department. */
export type ScopeDepartment = Readonly<
  Pick<Department, 'code' | 'kind' | 'jurisdictionCodes' | 'categories'>
>;

/**
 * How long a replica trusts a department it read for a scope. Every request needs its caller's
 * department; reading it once per request was a query (and an entity) per request. A change made on
 * this replica applies at once ({@link forgetScopeDepartment}); one made on another replica applies
 * here within this time. Departments change rarely (an administrator's `upsertDepartment`), and a
 * token names its department for hours anyway.
 */
export const SCOPE_DEPARTMENT_TTL_MS = 3000;
const scopeDepartments = new Map<string, { at: number; value: Promise<ScopeDepartment | null> }>();

async function scopeDepartment(em: EntityManager, code: string): Promise<ScopeDepartment | null> {
  const now = Date.now();
  const hit = scopeDepartments.get(code);
  if (hit && now - hit.at < SCOPE_DEPARTMENT_TTL_MS) return hit.value;
  const value = em
    .getConnection()
    .execute<{ code: string; kind: DepartmentKind; jurisdiction_codes: string[]; categories: string[] }[]>(
      'select code, kind, jurisdiction_codes, categories from department where code = ?',
      [code],
    )
    .then(([d]) =>
      d
        ? Object.freeze({
            code: d.code,
            kind: d.kind,
            jurisdictionCodes: Object.freeze([...d.jurisdiction_codes]) as string[],
            categories: Object.freeze([...d.categories]) as string[],
          })
        : null,
    );
  scopeDepartments.set(code, { at: now, value });
  // A failed read is not remembered.
  value.catch(() => scopeDepartments.delete(code));
  return value;
}

/** Drops the cached scope department after a change on this replica (see SCOPE_DEPARTMENT_TTL_MS). */
export function forgetScopeDepartment(code: string): void {
  scopeDepartments.delete(code);
}

/**
 * What a caller may see and change, from its department. Stations see only their jurisdiction;
 * branches change targets of the categories they supervise; ADMIN changes everything.
 */
export class Scope {
  private constructor(
    readonly user: Principal,
    readonly department: ScopeDepartment | null,
  ) {}

  static async load(em: EntityManager, user: Principal): Promise<Scope> {
    return new Scope(user, user.dept ? await scopeDepartment(em, user.dept) : null);
  }

  /** Police-station codes the caller may see, or null for the whole county. */
  visibleJurisdictions(): string[] | null {
    if (this.user.role === Role.ADMIN) return null;
    if (this.department?.kind === DepartmentKind.STATION) return this.department.jurisdictionCodes;
    return null;
  }

  /** Throws unless the caller may change a target of this category in this jurisdiction. */
  assertCanChangeTarget(category: string, jurisdictionCode: string): void {
    if (this.user.role === Role.ADMIN) return;
    const d = this.department;
    if (!d) throw new ForbiddenError('your token names no department');
    if (d.kind === DepartmentKind.STATION && d.jurisdictionCodes.includes(jurisdictionCode)) return;
    if (d.kind !== DepartmentKind.STATION && d.categories.includes(category)) return;
    throw new ForbiddenError(
      `department ${d.code} may not change ${category} targets in ${jurisdictionCode}`,
    );
  }

  /** Throws unless the caller may change records owned by `departmentCode`. */
  assertCanChangeDepartment(departmentCode: string): void {
    if (this.user.role === Role.ADMIN) return;
    if (this.user.dept !== departmentCode) {
      throw new ForbiddenError(`only ${departmentCode} or an administrator may change this`);
    }
  }
}
