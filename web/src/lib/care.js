// The care engine's screens (SPEC C2-C5): the task list and board, the
// completion and contact dialogs, the member's tasks and contacts and the
// outbox share these calls and labels. The server (src/service/care.h)
// decides who sees and changes what; the UI only offers the actions a role
// may take (roles.js task_work / task_manage).
import { api } from './api.js'
import { todayChina } from './loyalty.js'

// Every channel a task or contact may use (C2), in the order the UI lists them.
export const CARE_CHANNELS = ['phone', 'sms', 'wechat', 'email', 'visit', 'mail', 'gift']

// A task still to do: open, or forwarded to a subordinate.
export const PENDING = ['open', 'forwarded']
export const TASK_STATUSES = ['open', 'forwarded', 'done', 'failed', 'skipped']
export const OUTCOMES = ['done', 'failed', 'skipped']
export const OUTBOX_STATUSES = ['queued', 'sent', 'kept', 'failed', 'suppressed']
// Suppression reasons the UI names (C4); others are shown as the server says.
export const OUTBOX_REASONS = ['invalid_number', 'invalid_email', 'opt_out', 'dnd', 'weekly_cap', 'missing_value', 'send_failed']
export const EVENT_KINDS = ['created', 'assigned', 'forwarded', 'escalated', 'handed_over', 'returned', 'completed']

export const TASK_STATUS_TYPES = {
  open: 'primary',
  forwarded: 'warning',
  done: 'success',
  failed: 'danger',
  skipped: 'info',
}

export const OUTBOX_STATUS_TYPES = {
  queued: 'primary',
  sent: 'success',
  kept: 'info',
  failed: 'danger',
  suppressed: 'warning',
}

// Whether `task` can still be completed, forwarded or assigned.
export function isPending(task) {
  return !!task && PENDING.includes(task.status)
}

// The query of one view of the task list: `view` is today (open tasks due
// by today, overdue ones included) | overdue | pending | done (the 已完成 tab, whose `doneStatus` picks done, failed or
// skipped), `today` the company day (YYYY-MM-DD).
export function taskQuery(view, { today = todayChina(), doneStatus = 'done' } = {}) {
  switch (view) {
    case 'today':
      return { status: 'pending', to: today }
    case 'overdue':
      return { status: 'pending', overdue: 'true' }
    case 'done':
      return { status: doneStatus || 'done' }
    default:
      return { status: 'pending' }
  }
}

// ---- the API (src/http/api.cc) ----

export function listTasks(query) {
  return api.get('/tasks', query)
}

export function getTask(id) {
  return api.get(`/tasks/${id}`)
}

// `body`: {outcome, channel, summary, satisfaction, follow_up, follow_up_on}.
export function completeTask(id, body) {
  return api.post(`/tasks/${id}/complete`, body)
}

export function forwardTask(id, toStaffId, note) {
  return api.post(`/tasks/${id}/forward`, { to_staff_id: toStaffId, note })
}

export function assignTask(id, staffId, note) {
  return api.post(`/tasks/${id}/assign`, { staff_id: staffId, note })
}

export function memberTasks(memberId, query) {
  return api.get(`/members/${memberId}/tasks`, query)
}

export function memberContacts(memberId, query) {
  return api.get(`/members/${memberId}/contacts`, query)
}

// `body`: {channel, summary, satisfaction, follow_up, follow_up_on}.
export function logContact(memberId, body) {
  return api.post(`/members/${memberId}/contacts`, body)
}

export function listOutbox(query) {
  return api.get('/outbox', query)
}

// The active staff of a store a task may go to: associates and the store
// manager (forwarding goes to associates only, `associatesOnly`).
export async function storeStaff(storeId, { associatesOnly = false } = {}) {
  const items = []
  let total = Infinity
  while (items.length < total) {
    const page = await api.get('/staff', { store_id: storeId || undefined, limit: 200, offset: items.length })
    total = page.total
    items.push(...page.items)
    if (!page.items.length) break
  }
  const roles = associatesOnly ? ['associate'] : ['associate', 'store_manager']
  return items.filter((s) => s.active !== false && roles.includes(s.role))
}

// The body of a completion or a logged contact from the dialog's form:
// empty optional fields are left out, the satisfaction only when rated.
export function contactBody(form, { withOutcome = false } = {}) {
  const body = { channel: form.channel, summary: (form.summary || '').trim() }
  if (withOutcome) body.outcome = form.outcome
  // A satisfaction belongs to a contact that reached the member.
  if (form.satisfaction && (!withOutcome || form.outcome === 'done')) body.satisfaction = form.satisfaction
  const followUp = (form.follow_up || '').trim()
  if (followUp) body.follow_up = followUp
  if (form.follow_up_on) body.follow_up_on = form.follow_up_on
  return body
}

// Replaces the row of `rows` (a ref's array) that has `task`'s id.
export function replaceRow(rows, task) {
  const i = rows.findIndex((r) => r.id === task.id)
  if (i >= 0) rows.splice(i, 1, { ...rows[i], ...task })
}
