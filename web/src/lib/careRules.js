// The care engine's admin screens (SPEC C1 care rules, C5 message templates;
// permission care_admin): the vocabulary of a rule set (src/domain/
// care_rules.h), the holidays it may name (src/domain/care_calendar.h), the
// placeholders a template may use (src/domain/message_template.h), the table
// texts ("节日：中秋节（前1天）"), SMS length counting and the server's
// refusals in the admin's language. The server checks every value and names
// the bad one by its path (`rules[3].actions.A.channels[0]`,
// `templates[2].text`); these helpers only present them.
import { api } from './api.js'
import { errorText } from './errors.js'

// ---- the vocabulary (keep in step with src/domain/care_rules.cc) ----

export const TRIGGER_TYPES = [
  'after_purchase',
  'became_formal',
  'holiday',
  'birthday',
  'anniversary',
  'new_season',
  'special_event',
  'tier_cadence',
  'inactivity',
  'downgrade_warning',
  'points_expiry',
  'stored_goods',
  'churn_risk',
]

// Channels in the enum order of care_rules.h (the server lists them so).
export const RULE_CHANNELS = ['sms', 'phone', 'email', 'wechat', 'visit', 'mail', 'gift']
export const ASSIGNEES = ['associate', 'store_manager', 'call_centre']
export const PURPOSES = ['service', 'marketing']
export const AUDIENCE_STATUSES = ['prospect', 'temporary', 'formal']
export const MEMBER_TYPES = ['individual', 'business']
export const EVERY_MONTHS = [1, 2, 3, 4, 6, 12]
export const ANNIVERSARY_KINDS = ['wedding', 'first_purchase']
// Grade letters of TIER KEYS: "A" = the top tier of the member's program.
export const GRADE_KEYS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']

// Holidays() of care_calendar.h, in calendar order.
export const HOLIDAYS = [
  'new_year',
  'spring_festival',
  'lantern_festival',
  'valentines',
  'womens_day',
  'labour_day',
  'mothers_day',
  'childrens_day',
  'dragon_boat',
  'fathers_day',
  'army_day',
  'qixi',
  'teachers_day',
  'mid_autumn',
  'national_day',
  'double_ninth',
  'christmas',
]

// KnownPlaceholders() of message_template.cc, in the order of MessageValues.
export const PLACEHOLDERS = [
  'name',
  'title',
  'full_name',
  'surname',
  'brand',
  'store',
  'store_address',
  'store_phone',
  'date',
  'amount',
  'points',
  'threshold',
  'cashback',
  'tier',
  'next_tier',
  'expiring_points',
  'expiry_date',
  'downgrade_date',
  'pickup_date',
  'festival',
  'season',
  'event',
  'event_date',
  'goods',
]

export const TEMPLATE_CHANNELS = ['sms', 'email']
export const TEMPLATE_STATUSES = ['prospect', 'temporary', 'formal']

// The parameters each trigger type carries, with the values a new one starts
// from (only these keys are allowed in the JSON of that type).
const TRIGGER_DEFAULTS = {
  after_purchase: { days: 1 },
  became_formal: { days: 5, card_pending_only: false },
  holiday: { holiday: 'new_year' },
  birthday: {},
  anniversary: { kinds: [] },
  new_season: { dates: ['03-01', '06-01', '09-01', '12-01'] },
  special_event: { events: [] },
  tier_cadence: {},
  inactivity: { days: 180 },
  downgrade_warning: {},
  points_expiry: { min_points: 0 },
  stored_goods: { every_days: 7, max_reminders: 0 },
  churn_risk: { min_score: 70 },
}

// The trigger of `type`, keeping the parameters of `old` that type also has.
export function triggerOfType(type, old = {}) {
  const out = { type }
  for (const [k, v] of Object.entries(TRIGGER_DEFAULTS[type] || {})) {
    out[k] = old[k] !== undefined && old.type === type ? old[k] : JSON.parse(JSON.stringify(v))
  }
  return out
}

// Tier keys in a stable order: grade letters, tier codes, "none", "default".
export function sortKeys(keys) {
  const rank = (k) => (GRADE_KEYS.includes(k) ? 0 : k === 'none' ? 2 : k === 'default' ? 3 : 1)
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
}

// JSON with object keys sorted, so that two documents that differ only in
// key order compare equal (the server answers keys in sorted order).
export function stableStringify(v) {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v === undefined ? null : v)
}

export function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v))
}

// A new rule with every required field, for 新增规则.
export function newRule(code = '') {
  return {
    code,
    name: '',
    description: '',
    enabled: true,
    purpose: 'marketing',
    routine: false,
    trigger: triggerOfType('holiday'),
    audience: { statuses: ['prospect', 'temporary', 'formal'], tiers: [], occupations: [], member_types: [] },
    actions: { default: { channels: ['sms'], text: '' } },
    assignee: 'associate',
    due: { offset_days: 0, lead_days: 0, window_days: 0 },
  }
}

export function newTemplate() {
  return { code: '', name: '', channel: 'sms', purpose: 'marketing', occasions: [], statuses: [], tiers: [], text: '' }
}

// An action as the server takes it: no empty optional keys, no `skip: false`,
// `every_months` only on tier_cadence rules.
export function cleanAction(a, triggerType) {
  if (a.skip) return { skip: true }
  const out = { channels: [...(a.channels || [])], text: a.text ?? '' }
  if (a.template) out.template = a.template
  if (a.assignee) out.assignee = a.assignee
  if (triggerType === 'tier_cadence') out.every_months = a.every_months ?? null
  for (const [k, v] of Object.entries(a)) {
    if (!['skip', 'channels', 'text', 'template', 'assignee', 'every_months'].includes(k)) out[k] = v
  }
  return out
}

// The order a rule's keys are shown in the JSON tab.
const RULE_KEYS = ['code', 'name', 'description', 'enabled', 'purpose', 'routine', 'trigger', 'audience', 'actions', 'assignee', 'due']

export function cleanRule(rule) {
  const src = clone(rule)
  const r = {}
  for (const k of RULE_KEYS) if (k in src) r[k] = src[k]
  for (const k of Object.keys(src)) if (!(k in r)) r[k] = src[k]
  if (r.actions && typeof r.actions === 'object' && !Array.isArray(r.actions)) {
    const type = r.trigger && r.trigger.type
    const actions = {}
    for (const k of sortKeys(Object.keys(r.actions))) {
      const a = r.actions[k]
      actions[k] = a && typeof a === 'object' && !Array.isArray(a) ? cleanAction(a, type) : a
    }
    r.actions = actions
  }
  return r
}

// A template as the server takes it: an SMS has no subject.
export function cleanTemplate(tpl) {
  const t = clone(tpl)
  if (t.channel !== 'email' || !t.subject) delete t.subject
  return t
}

// ---- the API (src/service/care.h) ----

export function getCareRules() {
  return api.get('/care-rules')
}

// Stores `ruleSet` ({version, settings, rules}) as the new version; answers
// like getCareRules.
export function putCareRules(ruleSet) {
  return api.put('/care-rules', ruleSet)
}

export function getTemplates() {
  return api.get('/message-templates')
}

export function putTemplates(templates) {
  return api.put('/message-templates', { templates })
}

// ---- texts of the rule table ----

function label(t, te, key, fallback) {
  return te(key) ? t(key) : fallback
}

export function holidayName(t, te, code) {
  return label(t, te, `careAdmin.holiday.${code}`, code)
}

// "（前1天）" / "（后2天）" / "" for the due offset of an occasion.
function offsetSuffix(t, rule) {
  const off = (rule.due && rule.due.offset_days) || 0
  if (off < 0) return t('careAdmin.tr.before', { n: -off })
  if (off > 0) return t('careAdmin.tr.after', { n: off })
  return ''
}

// The trigger in words: "节日：中秋节（前1天）", "购买后第3天", "生日",
// "每N月（按等级）：A每1月、B每3月".
export function triggerText(t, te, rule) {
  const tr = rule.trigger || {}
  const sep = t('careAdmin.listSep')
  switch (tr.type) {
    case 'after_purchase':
      return t('careAdmin.tr.afterPurchase', { n: tr.days }) + offsetSuffix(t, rule)
    case 'became_formal':
      return t('careAdmin.tr.becameFormal', { n: tr.days }) + (tr.card_pending_only ? t('careAdmin.tr.cardPending') : '')
    case 'holiday':
      return t('careAdmin.tr.holiday', { name: holidayName(t, te, tr.holiday) }) + offsetSuffix(t, rule)
    case 'birthday':
      return t('careAdmin.tr.birthday') + offsetSuffix(t, rule)
    case 'anniversary':
      return (tr.kinds && tr.kinds.length
        ? t('careAdmin.tr.anniversaryKinds', { kinds: tr.kinds.map((k) => label(t, te, `anniversary.${k}`, k)).join(sep) })
        : t('careAdmin.tr.anniversary')) + offsetSuffix(t, rule)
    case 'new_season':
      return t('careAdmin.tr.newSeason', { dates: (tr.dates || []).join(sep) }) + offsetSuffix(t, rule)
    case 'special_event':
      return t('careAdmin.tr.specialEvent', { names: (tr.events || []).map((e) => e.name).join(sep) || t('common.none') }) + offsetSuffix(t, rule)
    case 'tier_cadence': {
      const parts = sortKeys(Object.keys(rule.actions || {}))
        .filter((k) => rule.actions[k] && !rule.actions[k].skip && rule.actions[k].every_months)
        .map((k) => t('careAdmin.tr.cadenceItem', { key: k, n: rule.actions[k].every_months }))
      return t('careAdmin.tr.tierCadence') + (parts.length ? t('common.colon') + parts.join(sep) : '')
    }
    case 'inactivity':
      return t('careAdmin.tr.inactivity', { n: tr.days })
    case 'downgrade_warning':
      return t('careAdmin.tr.downgrade') + offsetSuffix(t, rule)
    case 'points_expiry':
      return (tr.min_points ? t('careAdmin.tr.pointsExpiryMin', { n: tr.min_points }) : t('careAdmin.tr.pointsExpiry')) + offsetSuffix(t, rule)
    case 'stored_goods':
      return tr.max_reminders ? t('careAdmin.tr.storedGoodsMax', { n: tr.every_days, m: tr.max_reminders }) : t('careAdmin.tr.storedGoods', { n: tr.every_days })
    case 'churn_risk':
      return t('careAdmin.tr.churn', { n: tr.min_score })
    default:
      return tr.type || ''
  }
}

// Who the rule addresses: "正式会员 · 职业：教师、老师" or "所有人".
export function audienceText(t, te, audience) {
  const a = audience || {}
  const sep = t('careAdmin.listSep')
  const parts = []
  if (a.statuses && a.statuses.length && a.statuses.length < AUDIENCE_STATUSES.length) {
    parts.push(a.statuses.map((s) => label(t, te, `status.${s}`, s)).join(sep))
  }
  if (a.tiers && a.tiers.length) parts.push(t('careAdmin.aud.tiers', { list: a.tiers.join(sep) }))
  if (a.occupations && a.occupations.length) parts.push(t('careAdmin.aud.occupations', { list: a.occupations.join(sep) }))
  if (a.member_types && a.member_types.length) {
    parts.push(a.member_types.map((m) => label(t, te, `careAdmin.memberType.${m}`, m)).join(sep))
  }
  return parts.length ? parts.join(' · ') : t('careAdmin.aud.everyone')
}

// The due window: "事由日前1天 · 提前3天生成 · 宽限1天".
export function dueText(t, due) {
  const d = due || {}
  const off = d.offset_days || 0
  const parts = [off < 0 ? t('careAdmin.due.before', { n: -off }) : off > 0 ? t('careAdmin.due.after', { n: off }) : t('careAdmin.due.onDay')]
  if (d.lead_days) parts.push(t('careAdmin.due.lead', { n: d.lead_days }))
  parts.push(d.window_days ? t('careAdmin.due.window', { n: d.window_days }) : t('careAdmin.due.noWindow'))
  return parts.join(' · ')
}

// The label of a tier key: "最高等级（当前方案：紫金钻石卡）", "默认（其余所有人）",
// a tier's name. `tiers` are the current program's tiers, lowest first.
export function keyLabel(t, key, tiers = []) {
  if (key === 'default') return t('careAdmin.key.default')
  if (key === 'none') return t('careAdmin.key.none')
  const grade = GRADE_KEYS.indexOf(key)
  if (grade >= 0) {
    const label = grade === 0 ? t('careAdmin.key.top') : t('careAdmin.key.grade', { n: grade })
    const tier = tiers[tiers.length - 1 - grade]
    return tier ? `${label}（${t('careAdmin.key.current', { name: tier.name })}）` : label
  }
  const tier = tiers.find((x) => x.code === key)
  return tier ? `${tier.name}（${key}）` : key
}

// ---- templates ----

// The pieces of a template text for display: literal text and placeholders
// ({name}), the latter marked known or not. `{{` / `}}` are literal braces.
export function templateSegments(text) {
  const out = []
  const s = text || ''
  let lit = ''
  let i = 0
  const flush = () => {
    if (lit) out.push({ text: lit })
    lit = ''
  }
  while (i < s.length) {
    const c = s[i]
    if ((c === '{' && s[i + 1] === '{') || (c === '}' && s[i + 1] === '}')) {
      lit += c + c
      i += 2
    } else if (c === '{') {
      const m = /^\{([A-Za-z0-9_]+)\}/.exec(s.slice(i))
      if (m) {
        flush()
        out.push({ text: m[0], name: m[1], known: PLACEHOLDERS.includes(m[1]) })
        i += m[0].length
      } else {
        flush()
        out.push({ text: c, bad: true })
        i++
      }
    } else if (c === '}') {
      flush()
      out.push({ text: c, bad: true })
      i++
    } else {
      lit += c
      i++
    }
  }
  flush()
  return out
}

// The placeholders `text` uses that the server does not know.
export function unknownPlaceholders(text) {
  return [...new Set(templateSegments(text).filter((s) => s.name && !s.known).map((s) => s.name))]
}

// Characters and SMS parts of `text` as the gateway bills it (CountSms):
// up to 70 code points is one SMS, longer texts go in parts of 67.
export const SMS_SINGLE = 70
export const SMS_PART = 67
export function countSms(text) {
  const chars = [...(text || '')].length
  const parts = chars === 0 ? 0 : chars <= SMS_SINGLE ? 1 : Math.ceil(chars / SMS_PART)
  return { chars, parts }
}

// ---- the server's refusals ----

// `rules[3].actions.A.channels[0]` → {index: 3, rest: 'actions.A.channels[0]'};
// null for a path outside the rules (settings, version).
export function splitIndexed(field, list) {
  const m = new RegExp(`^${list}\\[(\\d+)\\](?:\\.(.*))?$`).exec(field || '')
  return m ? { index: Number(m[1]), rest: m[2] || '' } : null
}

// The editor block a rule-relative path lands on: an exact form field
// (`actions.A.channels`, `trigger.days`, `due.lead_days`, ...) or null (then
// the JSON tab shows it).
export function rulePropOf(rest) {
  const p = (rest || '').replace(/\[\d+\]$/, '')
  if (['code', 'name', 'description', 'enabled', 'purpose', 'routine', 'assignee', 'actions'].includes(p)) return p
  if (/^due\.(offset_days|lead_days|window_days)$/.test(p)) return p
  if (p === 'due') return 'due.offset_days'
  if (/^trigger(\.type)?$/.test(p)) return 'trigger.type'
  if (/^trigger\.(days|holiday|card_pending_only|kinds|dates|min_points|every_days|max_reminders|min_score)$/.test(p)) return p.replace(/\[\d+\]$/, '')
  if (/^audience\.(statuses|tiers|occupations|member_types)$/.test(p)) return p
  if (p === 'audience') return 'audience.statuses'
  let m = /^actions\.([^.[\]]+)\.(channels|text|template|assignee|every_months|skip)$/.exec(p)
  if (m) return `actions.${m[1]}.${m[2]}`
  m = /^actions\.([^.[\]]+)(\..*)?$/.exec(p)
  if (m) return `actions.${m[1]}`
  return null
}

// Server messages of the rule and template checks → i18n keys (the rest go
// through errors.js). Keep in step with care_rules.cc / message_template.cc.
const KNOWN = [
  [/^unknown placeholder (\{[^}]*\})/, 'careAdmin.err.unknownPlaceholder'],
  [/^has a "\{" at byte (\d+)/, 'careAdmin.err.loneOpen'],
  [/^has a "\}" at byte (\d+)/, 'careAdmin.err.loneClose'],
  [/^must be 1, 2, 3, 4, 6 or 12/, 'careAdmin.err.everyMonths'],
  [/^is only for tier_cadence rules/, 'careAdmin.err.onlyCadence'],
  [/^is not a tier key/, 'careAdmin.err.tierKey'],
  [/^must be 1-40 characters of a-z, 0-9 or '_', starting with a letter/, 'careAdmin.err.ruleCode'],
  [/^must be 1-40 characters of a-z, 0-9, '_' or '-'/, 'careAdmin.err.templateCode'],
  [/^"([^"]*)" is used by another rule/, 'careAdmin.err.codeUsed'],
  [/^template code "([^"]*)" is used twice/, 'careAdmin.err.codeUsed'],
  [/^"collect_number" is reserved/, 'careAdmin.err.reserved'],
  [/^must have an action that is not skipped/, 'careAdmin.err.allSkipped'],
  [/^must be (empty|absent) when skip is true/, 'careAdmin.err.skipEmpty'],
  [/^must name at least one occasion/, 'careAdmin.err.noOccasion'],
  [/^an SMS template has no subject/, 'careAdmin.err.smsSubject'],
  [/^cannot use sms or phone/, 'careAdmin.err.collectChannels'],
  [/^must be a month and day/, 'careAdmin.err.monthDay'],
  [/^repeats a month/, 'careAdmin.err.repeatsMonth'],
  [/^a yearly event cannot be on 29 February/, 'careAdmin.err.feb29'],
  [/^must be a date YYYY-MM-DD/, 'careAdmin.err.date'],
  [/^(?:"[^"]*" )?is listed twice/, 'careAdmin.err.twice'],
  [/^is used twice/, 'careAdmin.err.twice'],
  [/^must be true or false/, 'careAdmin.err.bool'],
  [/^must be (?:a string|an array|an object|an array of objects|an array of strings|an array of templates|a JSON object)/, 'careAdmin.err.type'],
  [/^must be ((?:"[^"]+"(?:, | or )?)+)$/, 'careAdmin.err.oneOf'],
  [/^must be an occasion code/, 'careAdmin.err.templateCode'],
  [/^is not valid JSON/, 'careAdmin.err.json'],
]

// The message of a refused save in the admin's language.
export function careErrorText(t, e) {
  const msg = (e && e.message) || ''
  if (e && e.status === 400) {
    for (const [re, key] of KNOWN) {
      const m = re.exec(msg)
      if (m) return t(key, { n: m[1] || '' })
    }
  }
  return errorText(t, e)
}
