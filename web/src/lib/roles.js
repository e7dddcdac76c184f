// What each role may do, mirrored from the server's permission table
// (src/service/access.cc: RoleHas, ApplyListScope, SeesUnmasked). The server
// decides on every request; the UI only uses this to show each role the
// screens it can use, so a mismatch costs a 403 message, never data.

export const ROLES = [
  'associate',
  'store_manager',
  'regional_supervisor',
  'call_center',
  'hq_analyst',
  'admin',
  'auditor',
]

const PERMISSIONS = {
  admin: [
    'member_read',
    'member_write',
    'member_admin',
    'org_read',
    'org_admin',
    'user_admin',
    'audit_read',
    'grant_admin',
    'export',
    'device_admin',
    'sale_post',
    'program_admin',
    'task_work',
    'task_manage',
    'care_admin',
    'care_report',
    'report_read',
    'report_export',
  ],
  auditor: ['audit_read', 'org_read'],
  hq_analyst: ['org_read', 'care_report', 'report_read', 'report_export'],
  store_manager: ['member_read', 'member_write', 'member_admin', 'org_read', 'grant_admin', 'export', 'device_admin', 'sale_post', 'task_work', 'task_manage', 'care_report', 'report_read', 'report_export'],
  regional_supervisor: ['member_read', 'member_write', 'member_admin', 'org_read', 'grant_admin', 'export', 'task_work', 'task_manage', 'care_report', 'report_read', 'report_export'],
  associate: ['member_read', 'member_write', 'org_read', 'sale_post', 'task_work'],
  call_center: ['member_read', 'member_write', 'org_read', 'task_work'],
}

export function can(role, permission) {
  return (PERMISSIONS[role] || []).includes(permission)
}

export function permissionsOf(role) {
  return PERMISSIONS[role] || []
}

// Roles whose member list has rows (a call centre account: the members of
// its grants while they run; HQ and auditors never list members).
export function listsMembers(role) {
  return ['admin', 'store_manager', 'regional_supervisor', 'associate', 'call_center'].includes(role)
}

// Roles that register members: they have a store (or region, or all) to put them in.
export function registersMembers(role) {
  return ['admin', 'store_manager', 'regional_supervisor', 'associate'].includes(role)
}

// Whether `user` sees `member` unmasked (SeesUnmasked in access.cc; the
// server also masks children under 14 to all but admins and the store
// manager, which format.js looksMasked() notices in the data).
export function seesUnmasked(user, member) {
  if (!user || !member) return false
  switch (user.role) {
    case 'admin':
      return true
    case 'associate':
      return user.staff_id != null && member.associate_id === user.staff_id
    case 'store_manager':
      return user.store_id != null && member.store_id === user.store_id
    case 'call_center':
      return true // it can read a member only through a running grant
    default:
      return false
  }
}

// The page a role lands on after signing in.
export function homeOf(role) {
  return role === 'auditor' ? '/audit' : '/dashboard'
}
