// The side menu. Each entry points at a route; an entry is shown only if the
// signed-in role may open its route (router meta.roles). Entries marked
// `comingSoon` are shown disabled with a label until their API exists.
import { markRaw } from 'vue'
import { DataAnalysis, Search, UserFilled, Lock, Setting, Document, Delete, Shop, User, Key, Timer, OfficeBuilding, Monitor, ShoppingCart, Stamp, Medal, List, Message, Bell, ChatLineSquare, TrendCharts, Switch, PieChart } from '@element-plus/icons-vue'
import { mayOpen } from './router.js'

export const MENU = [
  { key: 'dashboard', path: '/dashboard', titleKey: 'nav.dashboard', icon: markRaw(DataAnalysis) },
  { key: 'members', path: '/members', titleKey: 'nav.members', icon: markRaw(Search) },
  { key: 'member-new', path: '/members/new', titleKey: 'nav.memberNew', icon: markRaw(UserFilled) },
  { key: 'tasks', path: '/tasks', titleKey: 'nav.tasks', icon: markRaw(List) },
  { key: 'till', path: '/till', titleKey: 'nav.till', icon: markRaw(ShoppingCart) },
  { key: 'approvals', path: '/approvals', titleKey: 'nav.approvals', icon: markRaw(Stamp) },
  { key: 'outbox', path: '/outbox', titleKey: 'nav.outbox', icon: markRaw(Message) },
  { key: 'leaves', path: '/leaves', titleKey: 'nav.leaves', icon: markRaw(Switch) },
  { key: 'care-report', path: '/care-report', titleKey: 'nav.careReport', icon: markRaw(TrendCharts) },
  { key: 'reports', path: '/reports', titleKey: 'nav.reports', icon: markRaw(PieChart) },
  { key: 'grants', path: '/grants', titleKey: 'nav.grants', icon: markRaw(Timer) },
  {
    key: 'compliance',
    titleKey: 'nav.compliance',
    icon: markRaw(Lock),
    children: [
      { key: 'audit', path: '/audit', titleKey: 'nav.audit', icon: markRaw(Document) },
      { key: 'destruction', path: '/destruction-records', titleKey: 'nav.destruction', icon: markRaw(Delete) },
    ],
  },
  {
    key: 'settings',
    titleKey: 'nav.settings',
    icon: markRaw(Setting),
    children: [
      { key: 'stores', path: '/settings/stores', titleKey: 'nav.stores', icon: markRaw(Shop) },
      { key: 'staff', path: '/settings/staff', titleKey: 'nav.staff', icon: markRaw(User) },
      { key: 'users', path: '/settings/users', titleKey: 'nav.users', icon: markRaw(Key) },
      { key: 'devices', path: '/settings/devices', titleKey: 'nav.devices', icon: markRaw(Monitor) },
      { key: 'company', path: '/settings/company', titleKey: 'nav.company', icon: markRaw(OfficeBuilding) },
      { key: 'programs', path: '/programs', titleKey: 'nav.programs', icon: markRaw(Medal) },
      { key: 'care-rules', path: '/settings/care-rules', titleKey: 'nav.careRules', icon: markRaw(Bell) },
      { key: 'message-templates', path: '/settings/message-templates', titleKey: 'nav.messageTemplates', icon: markRaw(ChatLineSquare) },
    ],
  },
]

// The menu as `role` sees it: groups keep only their visible children.
export function menuFor(role) {
  const out = []
  for (const item of MENU) {
    if (item.children) {
      const children = item.children.filter((c) => mayOpen(role, c.path))
      if (children.length) out.push({ ...item, children })
    } else if (mayOpen(role, item.path)) {
      out.push(item)
    }
  }
  return out
}
