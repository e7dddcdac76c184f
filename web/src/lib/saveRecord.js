// Saving a record from an add/edit dialog.
import { ElMessage } from 'element-plus'
import { api } from './api.js'

// Adds a record (POST `path`), or, given the record as it was, sends only the
// fields of `body` that changed (PATCH `path/id`); then says so.
export async function saveRecord(t, path, body, original) {
  if (original) {
    const patch = {}
    for (const [k, v] of Object.entries(body)) if (v !== original[k]) patch[k] = v
    if (Object.keys(patch).length) await api.patch(`${path}/${original.id}`, patch)
    ElMessage.success(t('common.saved'))
  } else {
    await api.post(path, body)
    ElMessage.success(t('common.created'))
  }
}
