// Browser tests of the care engine's admin screens (SPEC C1 "admins edit
// rules in the UI; validation names the bad field", C5 templates): 关怀规则
// and 短信模板 under 系统设置. Run by run.mjs against the demo chain, whose
// company still uses the shipped default rules and templates (version 0)
// until a test saves. Each test leaves the rules and templates as it found
// them in content (a save makes a new version, so versions only grow).
import assert from 'node:assert/strict'

const RULES = [
  ['GET', '/care-rules'],
  ['PUT', '/care-rules'],
]
const TEMPLATES = [
  ['GET', '/message-templates'],
  ['PUT', '/message-templates'],
]

// SMS billing of C5: up to 70 code points is one SMS, else parts of 67.
function smsParts(text) {
  const n = [...text].length
  return { chars: n, parts: n === 0 ? 0 : n <= 70 ? 1 : Math.ceil(n / 67) }
}

const ruleRow = (page, code) => page.locator(`[data-test=rules-table] .el-table__row.rule-code-${code}`)
const tplRow = (page, code) => page.locator(`[data-test=templates-table] .el-table__row.tpl-code-${code}`)

async function openRulesPage(h, page) {
  await h.login(page, 'admin')
  await page.locator('[data-menu=care-rules]').click()
  await page.waitForURL(/#\/settings\/care-rules/)
  await page.locator('[data-test=care-rules-page]').waitFor()
}

export const CARE_ADMIN_TESTS = [
  {
    name: 'care_admin: C1 an admin switches off the 中秋节 rule and saves: a new version, the switch stays off after a reload',
    needs: RULES,
    timeout: 20,
    async fn(h) {
      const before = await h.apiAs('admin', 'GET', '/care-rules')
      const index = before.rule_set.rules.findIndex((r) => r.code === 'mid_autumn')
      assert.ok(index >= 0, 'the rules have a mid_autumn rule')
      assert.equal(before.rule_set.rules[index].enabled, true, 'mid_autumn starts enabled')

      const page = await h.newPage()
      await openRulesPage(h, page)
      const badge = page.locator('[data-test=rules-version]')
      await badge.getByText(before.version === 0 ? '默认规则' : `第 ${before.version} 版`).waitFor()
      const row = ruleRow(page, 'mid_autumn')
      assert.equal((await row.locator('[data-test=rule-trigger]').innerText()).trim(), '节日：中秋节（前1天）')
      // The A customers' channels, as tags in Chinese.
      const CH = { sms: '短信', phone: '电话', email: '邮件', wechat: '微信', visit: '拜访', mail: '邮寄', gift: '礼品' }
      const tags = await row.locator('[data-test=rule-channels][data-key=A] .el-tag').allInnerTexts()
      assert.deepEqual(tags.map((s) => s.trim()), before.rule_set.rules[index].actions.A.channels.map((c) => CH[c]))
      await h.docShot(page, 'care-rules')
      assert.ok(await page.locator('[data-test=rules-save]').isDisabled(), 'nothing to save yet')

      await row.locator('[data-test=rule-enabled]').click()
      await page.locator('[data-test=rules-dirty]').waitFor()
      await page.locator('[data-test=rules-save]').click()
      const version = before.version + 1
      await page.locator('.el-message--success').getByText(`关怀规则已保存（第 ${version} 版）`).waitFor()
      await badge.getByText(`第 ${version} 版`).waitFor()
      assert.equal(await page.locator('[data-test=rules-dirty]').count(), 0)

      const after = await h.apiAs('admin', 'GET', '/care-rules')
      assert.equal(after.version, version)
      if (before.version === 0) assert.equal(after.version, 1, 'the first saved version is 1')
      assert.equal(after.default, false)
      assert.equal(after.rule_set.rules[index].enabled, false, 'mid_autumn is stored switched off')
      // Nothing else changed.
      const expected = JSON.parse(JSON.stringify(before.rule_set.rules))
      expected[index].enabled = false
      assert.deepEqual(after.rule_set.rules, expected)

      await page.reload()
      await ruleRow(page, 'mid_autumn').waitFor()
      await badge.getByText(`第 ${version} 版`).waitFor()
      const sw = ruleRow(page, 'mid_autumn').locator('.el-switch')
      assert.ok(!(await sw.getAttribute('class')).includes('is-checked'), 'the switch is off after a reload')
      const other = ruleRow(page, 'spring_festival').locator('.el-switch')
      assert.ok((await other.getAttribute('class')).includes('is-checked'), 'other rules stay on')

      // Back to the rules as they were (as a new version).
      await h.apiAs('admin', 'PUT', '/care-rules', before.rule_set)
    },
  },
  {
    name: 'care_admin: C1 clearing every channel of an action is refused on that field of that rule, and nothing is stored',
    needs: RULES,
    timeout: 20,
    async fn(h) {
      const before = await h.apiAs('admin', 'GET', '/care-rules')
      const index = before.rule_set.rules.findIndex((r) => r.code === 'mid_autumn')
      assert.ok(index >= 0)
      const page = await h.newPage()
      await openRulesPage(h, page)
      await ruleRow(page, 'mid_autumn').locator('[data-test=rule-edit]').click()
      let dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('编辑关怀规则：中秋节问候').waitFor()
      const action = dialog.locator('[data-test=rule-action][data-key=A]')
      const checked = action.locator('[data-test=action-channels] .el-checkbox-button.is-checked')
      assert.ok((await checked.count()) > 0, 'the A action has channels')
      while ((await checked.count()) > 0) await checked.first().click()
      await dialog.locator('[data-test=rule-apply]').click()
      await dialog.waitFor({ state: 'hidden' })
      await page.locator('[data-test=rules-dirty]').waitFor()
      await page.locator('[data-test=rules-save]').click()

      // The server's refusal: on the row, in the reopened editor on the A channels.
      const path = `rules[${index}].actions.A.channels`
      await page.locator('[data-test=rules-error-path]').getByText(path).waitFor()
      await ruleRow(page, 'mid_autumn').locator('[data-test=rule-row-error]').getByText(path).waitFor()
      dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('编辑关怀规则：中秋节问候').waitFor()
      const fieldError = dialog.locator('[data-test=rule-action][data-key=A] [data-field="actions.A.channels"] .el-form-item__error')
      await fieldError.waitFor()
      const text = (await fieldError.innerText()).trim()
      assert.match(text, /不能为空/)
      assert.ok(text.includes(path), `the error names ${path}: ${text}`)
      assert.equal(await dialog.locator('[data-test=rule-action][data-key=B] .el-form-item__error').count(), 0, 'only the named action is marked')

      const after = await h.apiAs('admin', 'GET', '/care-rules')
      assert.equal(after.version, before.version, 'no new version')
      assert.deepEqual(after.rule_set, before.rule_set, 'nothing changed')

      // Fixing it in the editor and discarding leaves the stored rules alone.
      await dialog.locator('[data-test=rule-action][data-key=A] [data-channel=phone]').click()
      await dialog.locator('[data-test=rule-apply]').click()
      await dialog.waitFor({ state: 'hidden' })
      await page.locator('[data-test=rules-discard]').click()
      await page.locator('[data-test=rules-dirty]').waitFor({ state: 'detached' })
      assert.equal((await h.apiAs('admin', 'GET', '/care-rules')).version, before.version)
    },
  },
  {
    name: 'care_admin: C5 短信模板 shows placeholders and SMS parts; an unknown placeholder is refused on that template\'s text; the picker inserts {…}',
    needs: TEMPLATES,
    timeout: 25,
    async fn(h) {
      const before = await h.apiAs('admin', 'GET', '/message-templates')
      const index = before.templates.findIndex((x) => x.code === 'birthday')
      assert.ok(index >= 0, 'a birthday template ships')
      const tpl = before.templates[index]
      const page = await h.newPage()
      await h.login(page, 'admin')
      await page.locator('[data-menu=message-templates]').click()
      await page.waitForURL(/#\/settings\/message-templates/)
      await page.locator('[data-test=templates-page]').waitFor()
      await page.locator('[data-test=templates-version]').getByText(before.version === 0 ? '默认模板' : `第 ${before.version} 版`).waitFor()

      // Every SMS row counts its characters and parts; placeholders are marked.
      for (const x of before.templates.filter((y) => y.channel === 'sms').slice(0, 6)) {
        const { chars, parts } = smsParts(x.text)
        const count = tplRow(page, x.code).locator('[data-test=tpl-count]')
        assert.equal((await count.innerText()).replace(/\s+/g, ''), `${chars}字${parts}条短信`, `count of ${x.code}`)
      }
      const row = tplRow(page, 'birthday')
      const marked = await row.locator('[data-test=tpl-text] .ph').allInnerTexts()
      assert.deepEqual(marked, tpl.text.match(/\{[a-z_]+\}/g), 'the placeholders are highlighted')
      await h.docShot(page, 'message-templates')

      // An unknown placeholder: the dialog warns, the server refuses on templates[i].text.
      await row.locator('[data-test=tpl-edit]').click()
      let dialog = page.locator('.el-dialog:visible')
      await dialog.getByText(`编辑模板：${tpl.name}`).waitFor()
      const box = dialog.locator('textarea[data-test=tpl-text-input]')
      await box.fill(`${tpl.text}{foo}`)
      await dialog.locator('[data-test=tpl-unknown]').getByText('{foo}').waitFor()
      await dialog.locator('[data-test=tpl-apply]').click()
      await dialog.waitFor({ state: 'hidden' })
      await page.locator('[data-test=templates-save]').click()
      const path = `templates[${index}].text`
      await page.locator('[data-test=templates-error-path]').getByText(path).waitFor()
      await row.locator('[data-test=tpl-row-error]').getByText(path).waitFor()
      dialog = page.locator('.el-dialog:visible')
      const err = dialog.locator('[data-field=text] .el-form-item__error')
      await err.waitFor()
      assert.match(await err.innerText(), /未知的占位符 \{foo\}/)
      let after = await h.apiAs('admin', 'GET', '/message-templates')
      assert.equal(after.version, before.version, 'no new version')
      assert.deepEqual(after.templates, before.templates, 'nothing changed')

      // The picker inserts at the cursor; the fixed text saves.
      await box.fill(tpl.text)
      await box.focus()
      await box.press('Control+End')
      await dialog.locator('[data-test=placeholder-picker] [data-placeholder=store_phone]').click()
      assert.equal(await box.inputValue(), `${tpl.text}{store_phone}`)
      const { chars, parts } = smsParts(`${tpl.text}{store_phone}`)
      assert.equal((await dialog.locator('[data-test=tpl-dialog-count]').innerText()).split('（')[0].trim(), `${chars}字，计${parts}条短信`)
      await dialog.locator('[data-test=tpl-apply]').click()
      await dialog.waitFor({ state: 'hidden' })
      await page.locator('[data-test=templates-save]').click()
      await page.locator('.el-message--success').getByText(`模板已保存（第 ${before.version + 1} 版）`).waitFor()
      after = await h.apiAs('admin', 'GET', '/message-templates')
      assert.equal(after.version, before.version + 1)
      const expected = JSON.parse(JSON.stringify(before.templates))
      expected[index].text = `${tpl.text}{store_phone}`
      assert.deepEqual(after.templates, expected)

      // Back to the templates as they were (as a new version).
      await h.apiAs('admin', 'PUT', '/message-templates', { templates: before.templates })
    },
  },
  {
    name: 'care_admin: a store manager has neither the 关怀规则 nor the 短信模板 menu, page or API',
    needs: [...RULES, ...TEMPLATES],
    timeout: 15,
    async fn(h) {
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.locator('[data-menu=tasks]').waitFor()
      assert.equal(await page.locator('[data-menu=care-rules]').count(), 0, 'no 关怀规则 menu')
      assert.equal(await page.locator('[data-menu=message-templates]').count(), 0, 'no 短信模板 menu')
      await page.goto(`${h.base}/#/settings/care-rules`)
      await page.locator('[data-test=forbidden-page]').waitFor()
      await page.goto(`${h.base}/#/settings/message-templates`)
      await page.locator('[data-test=forbidden-page]').waitFor()
      await assert.rejects(h.apiAs('store1', 'GET', '/care-rules'), /403/)
      await assert.rejects(h.apiAs('store1', 'GET', '/message-templates'), /403/)
    },
  },
]
