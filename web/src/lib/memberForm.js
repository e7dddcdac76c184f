// The member form's model and the JSON it sends. Kept apart from the view so
// the mapping (empty text → null, yuan ↔ fen, only-changed-fields on PATCH)
// is in one place.

export function emptyForm() {
  return {
    status: 'temporary',
    name: '',
    gender: 'unknown',
    birthday: '',
    birthday_calendar: 'solar',
    birthday_leap_month: false,
    mobile: '',
    mobile_valid: true,
    office_phone: '',
    office_phone_valid: true,
    home_phone: '',
    home_phone_valid: true,
    email: '',
    wechat_id: '',
    addresses: [],
    occupation: '',
    company: '',
    job_title: '',
    id_number: '',
    spouse_name: '',
    family: [],
    anniversaries: [],
    preferences: {
      hobbies: [],
      clothing_size: '',
      shoe_size: '',
      colours: [],
      brands: [],
      categories: [],
      special_needs: '',
      preferred_channels: [],
      dnd_start: '',
      dnd_end: '',
      marketing_opt_out: false,
    },
    business: {
      sales_region: '',
      credit_rating: '',
      credit_limit_yuan: 0,
      outstanding_debt_yuan: 0,
      repayment_record: '',
      key_decision_maker: '',
    },
    source: 'walk_in',
    referrer_id: '',
    store_id: null,
    associate_id: null,
    tags: [],
    notes: '',
  }
}

export const newAddress = () => ({ label: 'home', province: '', city: '', district: '', detail: '', postcode: '' })
export const newFamily = () => ({ name: '', relation: '', birthday: '', birthday_calendar: 'solar', hobbies: '', notes: '' })
export const newAnniversary = () => ({ kind: '', label: '', date: '', calendar: 'solar' })

const clone = (v) => JSON.parse(JSON.stringify(v))

// The form model of a member file from GET /members/{id}.
export function formFromMember(m) {
  const f = emptyForm()
  for (const k of Object.keys(f)) {
    if (k === 'business' || k === 'preferences' || !(k in m)) continue
    f[k] = m[k] === null ? f[k] : clone(m[k])
  }
  f.birthday = m.birthday || ''
  f.referrer_id = m.referrer_id ? String(m.referrer_id) : ''
  f.associate_id = m.associate_id || null
  f.family = (m.family || []).map((x) => ({ ...newFamily(), ...x, birthday: x.birthday || '' }))
  f.anniversaries = (m.anniversaries || []).map((x) => ({ ...newAnniversary(), ...x }))
  f.addresses = (m.addresses || []).map((x) => ({ ...newAddress(), ...x }))
  f.preferences = { ...f.preferences, ...clone(m.preferences || {}) }
  const b = m.business || {}
  f.business = {
    sales_region: b.sales_region || '',
    credit_rating: b.credit_rating || '',
    credit_limit_yuan: (b.credit_limit_fen || 0) / 100,
    outstanding_debt_yuan: (b.outstanding_debt_fen || 0) / 100,
    repayment_record: b.repayment_record || '',
    key_decision_maker: b.key_decision_maker || '',
  }
  return f
}

const trim = (s) => (typeof s === 'string' ? s.trim() : s)
const trimList = (l) => (l || []).map(trim).filter((x) => x !== '')

// The JSON body of a member (MemberInput) for the form model.
export function payloadOf(f) {
  return {
    status: f.status,
    name: trim(f.name),
    gender: f.gender,
    birthday: f.birthday || null,
    birthday_calendar: f.birthday_calendar,
    birthday_leap_month: f.birthday_calendar === 'lunar' ? Boolean(f.birthday_leap_month) : false,
    mobile: trim(f.mobile),
    mobile_valid: f.mobile_valid,
    office_phone: trim(f.office_phone),
    office_phone_valid: f.office_phone_valid,
    home_phone: trim(f.home_phone),
    home_phone_valid: f.home_phone_valid,
    email: trim(f.email),
    wechat_id: trim(f.wechat_id),
    addresses: f.addresses.map((a) => ({
      label: trim(a.label),
      province: trim(a.province),
      city: trim(a.city),
      district: trim(a.district),
      detail: trim(a.detail),
      postcode: trim(a.postcode),
    })),
    occupation: trim(f.occupation),
    company: trim(f.company),
    job_title: trim(f.job_title),
    id_number: trim(f.id_number),
    spouse_name: trim(f.spouse_name),
    family: f.family.map((x) => ({
      name: trim(x.name),
      relation: trim(x.relation),
      birthday: x.birthday || null,
      birthday_calendar: x.birthday_calendar,
      hobbies: trim(x.hobbies),
      notes: trim(x.notes),
    })),
    anniversaries: f.anniversaries.map((x) => ({ kind: trim(x.kind), label: trim(x.label), date: x.date, calendar: x.calendar })),
    preferences: {
      hobbies: trimList(f.preferences.hobbies),
      clothing_size: trim(f.preferences.clothing_size),
      shoe_size: trim(f.preferences.shoe_size),
      colours: trimList(f.preferences.colours),
      brands: trimList(f.preferences.brands),
      categories: trimList(f.preferences.categories),
      special_needs: trim(f.preferences.special_needs),
      preferred_channels: [...f.preferences.preferred_channels],
      dnd_start: f.preferences.dnd_start || '',
      dnd_end: f.preferences.dnd_end || '',
      marketing_opt_out: Boolean(f.preferences.marketing_opt_out),
    },
    business: {
      sales_region: trim(f.business.sales_region),
      credit_rating: trim(f.business.credit_rating),
      credit_limit_fen: Math.round(Number(f.business.credit_limit_yuan || 0) * 100),
      outstanding_debt_fen: Math.round(Number(f.business.outstanding_debt_yuan || 0) * 100),
      repayment_record: trim(f.business.repayment_record),
      key_decision_maker: trim(f.business.key_decision_maker),
    },
    source: f.source,
    referrer_id: f.referrer_id ? Number(f.referrer_id) : null,
    store_id: f.store_id,
    associate_id: f.associate_id || null,
    tags: trimList(f.tags),
    notes: trim(f.notes),
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

// A PATCH body: the fields that differ from `before` (both payloads), with
// preferences and business reduced to their changed keys (the server merges
// those key by key) and `status` left out (it has its own endpoint).
export function patchOf(before, after) {
  const out = {}
  for (const [k, v] of Object.entries(after)) {
    if (k === 'status') continue
    if (k === 'preferences' || k === 'business') {
      const sub = {}
      for (const [sk, sv] of Object.entries(v)) if (!same(sv, before[k][sk])) sub[sk] = sv
      if (Object.keys(sub).length) out[k] = sub
    } else if (!same(v, before[k])) {
      out[k] = v
    }
  }
  return out
}
