// Client-side routes (hash history, so deep links work without server
// changes). `meta.roles` lists who may open a page; the menu is built from the
// same table (nav.js), so a role sees exactly the pages it may use.
import { createRouter, createWebHashHistory } from 'vue-router'
import { session, loadSession } from './lib/session.js'
import { homeOf } from './lib/roles.js'

const MEMBER_LISTERS = ['admin', 'store_manager', 'regional_supervisor', 'associate', 'call_center']
const MEMBER_WRITERS = ['admin', 'store_manager', 'regional_supervisor', 'associate']
const ALL_BUT_AUDITOR = ['admin', 'store_manager', 'regional_supervisor', 'associate', 'call_center', 'hq_analyst']
const AUDIT = ['admin', 'auditor']
const ADMIN = ['admin']
const GRANTS = ['admin', 'store_manager', 'regional_supervisor', 'call_center']
const DEVICE_ADMINS = ['admin', 'store_manager'] // permission device_admin
const SALE_POSTERS = ['admin', 'store_manager', 'associate'] // permission sale_post
const MEMBER_ADMINS = ['admin', 'store_manager', 'regional_supervisor'] // permission member_admin
const PROGRAM_ADMINS = ['admin'] // permission program_admin
const TASK_WORKERS = ['admin', 'store_manager', 'regional_supervisor', 'associate', 'call_center'] // permission task_work
const TASK_MANAGERS = ['admin', 'store_manager', 'regional_supervisor'] // permission task_manage
const CARE_ADMINS = ['admin'] // permission care_admin
const CARE_REPORTERS = ['admin', 'store_manager', 'regional_supervisor', 'hq_analyst'] // permission care_report
const REPORT_READERS = ['admin', 'store_manager', 'regional_supervisor', 'hq_analyst'] // permission report_read

export const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, titleKey: 'login.title' } },
  { path: '/password', name: 'password', component: () => import('./views/PasswordView.vue'), meta: { titleKey: 'password.title' } },
  { path: '/', name: 'home', redirect: () => (session.user ? homeOf(session.user.role) : '/login') },
  { path: '/dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { roles: ALL_BUT_AUDITOR, titleKey: 'nav.dashboard' } },
  { path: '/members', name: 'members', component: () => import('./views/MemberSearchView.vue'), meta: { roles: MEMBER_LISTERS, titleKey: 'nav.members' } },
  { path: '/members/new', name: 'member-new', component: () => import('./views/MemberFormView.vue'), meta: { roles: MEMBER_WRITERS, titleKey: 'nav.memberNew' } },
  { path: '/members/:id(\\d+)', name: 'member', component: () => import('./views/MemberDetailView.vue'), meta: { roles: MEMBER_LISTERS, titleKey: 'member.title', parent: '/members' } },
  { path: '/members/:id(\\d+)/yearly-report', name: 'member-yearly-report', component: () => import('./views/reports/YearlyReportView.vue'), meta: { roles: MEMBER_LISTERS, titleKey: 'yearlyReport.title', parent: '/members' } },
  { path: '/members/:id(\\d+)/edit', name: 'member-edit', component: () => import('./views/MemberFormView.vue'), meta: { roles: MEMBER_WRITERS, titleKey: 'form.editTitle', parent: '/members' } },
  { path: '/till', name: 'till', component: () => import('./views/TillView.vue'), meta: { roles: SALE_POSTERS, titleKey: 'nav.till' } },
  { path: '/tasks', name: 'tasks', component: () => import('./views/TasksView.vue'), meta: { roles: TASK_WORKERS, titleKey: 'nav.tasks' } },
  { path: '/outbox', name: 'outbox', component: () => import('./views/care/OutboxView.vue'), meta: { roles: TASK_MANAGERS, titleKey: 'nav.outbox' } },
  { path: '/leaves', name: 'leaves', component: () => import('./views/care/LeavesView.vue'), meta: { roles: TASK_MANAGERS, titleKey: 'nav.leaves' } },
  { path: '/care-report', name: 'care-report', component: () => import('./views/care/ReportView.vue'), meta: { roles: CARE_REPORTERS, titleKey: 'nav.careReport' } },
  { path: '/reports', name: 'reports', component: () => import('./views/ReportsView.vue'), meta: { roles: REPORT_READERS, titleKey: 'nav.reports' } },
  { path: '/reports/:name([a-z0-9_]+)', name: 'report', component: () => import('./reports/ReportPage.vue'), meta: { roles: REPORT_READERS, titleKey: 'nav.reports', parent: '/reports' } },
  { path: '/approvals', name: 'approvals', component: () => import('./views/ApprovalsView.vue'), meta: { roles: MEMBER_ADMINS, titleKey: 'nav.approvals' } },
  { path: '/programs', name: 'programs', component: () => import('./views/ProgramsView.vue'), meta: { roles: PROGRAM_ADMINS, titleKey: 'nav.programs' } },
  { path: '/settings/care-rules', name: 'care-rules', component: () => import('./views/care/CareRulesView.vue'), meta: { roles: CARE_ADMINS, titleKey: 'nav.careRules' } },
  { path: '/settings/message-templates', name: 'message-templates', component: () => import('./views/care/TemplatesView.vue'), meta: { roles: CARE_ADMINS, titleKey: 'nav.messageTemplates' } },
  { path: '/audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { roles: AUDIT, titleKey: 'nav.audit' } },
  { path: '/destruction-records', name: 'destruction', component: () => import('./views/DestructionView.vue'), meta: { roles: AUDIT, titleKey: 'nav.destruction' } },
  { path: '/settings/stores', name: 'stores', component: () => import('./views/settings/StoresView.vue'), meta: { roles: ADMIN, titleKey: 'nav.stores' } },
  { path: '/settings/staff', name: 'staff', component: () => import('./views/settings/StaffView.vue'), meta: { roles: ADMIN, titleKey: 'nav.staff' } },
  { path: '/settings/users', name: 'users', component: () => import('./views/settings/UsersView.vue'), meta: { roles: ADMIN, titleKey: 'nav.users' } },
  { path: '/grants', name: 'grants', component: () => import('./views/GrantsView.vue'), meta: { roles: GRANTS, titleKey: 'nav.grants' } },
  { path: '/settings/devices', name: 'devices', component: () => import('./views/settings/DevicesView.vue'), meta: { roles: DEVICE_ADMINS, titleKey: 'nav.devices' } },
  { path: '/settings/company', name: 'company', component: () => import('./views/settings/CompanyView.vue'), meta: { roles: ADMIN, titleKey: 'nav.company' } },
  { path: '/forbidden', name: 'forbidden', component: () => import('./views/ForbiddenView.vue'), meta: { titleKey: 'forbidden.title' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./views/NotFoundView.vue'), meta: { titleKey: 'notFound.title' } },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

// Whether `role` may open the page at `path`.
export function mayOpen(role, path) {
  const r = router.resolve(path)
  const roles = r.meta && r.meta.roles
  return !roles || roles.includes(role)
}

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      await loadSession()
    } catch {
      // Server unreachable: the page shows its own error when it loads data.
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.user && !session.mustChangePassword) return homeOf(session.user.role)
    return true
  }
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (session.mustChangePassword && to.name !== 'password') return { name: 'password' }
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) {
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})
