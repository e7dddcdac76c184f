// Server-side field errors on Element Plus forms.
import { ElMessage } from 'element-plus'
import { errorText, fieldToProp } from './errors.js'

// Empties an errors object (field → message).
export function clearErrors(errors) {
  for (const k of Object.keys(errors)) delete errors[k]
}

// Clears the server errors, then runs the form's own rules: true when valid.
export async function validateForm(formRef, errors) {
  clearErrors(errors)
  return formRef.value.validate().catch(() => false)
}

// Puts an API error on the form field it names (`prop`, by default the
// error's own field), or else shows it as a message.
export function showFieldError(t, e, form, errors, prop = fieldToProp(e.field)) {
  if (prop && prop in form) errors[prop] = errorText(t, e)
  else ElMessage.error(errorText(t, e))
}

// Like showFieldError for forms whose fields are paths (a cart line's
// `lines.2.paid_fen`, a tier's `tiers.1.name`): `accepts(prop)` says whether
// the page shows that field. Answers the prop the error went to, or null when
// it was shown as a message.
export function showPathError(t, e, errors, accepts) {
  const prop = fieldToProp(e.field)
  if (prop && accepts(prop)) {
    errors[prop] = errorText(t, e)
    return prop
  }
  ElMessage.error(errorText(t, e))
  return null
}
