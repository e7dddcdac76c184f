// The browser tests of issue 4, run by run.mjs against a fresh demo chain
// (`vipcare demo --seed 20261123`). Each test gets helpers `h`: base URL,
// apiAs (bearer-token API calls for fixtures), newPage, login, docShot.
import assert from 'node:assert/strict'

const ROLE_MENUS = {
  admin: ['dashboard', 'members', 'member-new', 'compliance', 'audit', 'destruction', 'settings', 'stores', 'staff', 'users', 'grants', 'company'],
  hq: ['dashboard'],
  region1: ['dashboard', 'members', 'member-new', 'grants'],
  store1: ['dashboard', 'members', 'member-new', 'grants'],
  assoc1: ['dashboard', 'members', 'member-new'],
  callcenter1: ['dashboard', 'members', 'grants'],
  auditor: ['compliance', 'audit', 'destruction'],
}
const HOME = { auditor: '#/audit' }

async function menuKeys(page) {
  await page.locator('[data-test=nav]').waitFor()
  return page.$$eval('[data-menu]', (els) => els.map((e) => e.getAttribute('data-menu')))
}

async function noHorizontalOverflow(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  assert.ok(scroll <= width + 1, `${what}: the page is ${scroll}px wide in a ${width}px window`)
}

// A fresh 11-digit mobile no demo member has (the demo uses random numbers).
function newMobile() {
  return `199${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`
}

export const TESTS = [
  {
    name: 'login page is in Chinese and rejects a wrong password',
    async fn(h) {
      const page = await h.newPage()
      await page.goto(`${h.base}/`)
      await page.waitForURL(/#\/login/)
      await page.getByText('VIP客户管理系统').first().waitFor()
      assert.equal(await page.locator('[data-test=login-submit]').innerText(), '登 录')
      await h.docShot(page, 'login')
      // An unknown account, so no real account gets closer to its lockout.
      await page.locator('input[name=username]').fill('nobody-here')
      await page.locator('input[name=password]').fill('wrong-password')
      await page.locator('[data-test=login-submit]').click()
      await page.locator('[data-test=login-error]').getByText('用户名或密码错误').waitFor()
      // Empty fields are caught before the server is asked.
      await page.locator('input[name=username]').fill('')
      await page.locator('[data-test=login-submit]').click()
      await page.getByText('请输入用户名').waitFor()
    },
  },
  {
    name: 'each role sees only its menus and lands on its home page',
    timeout: 45,
    async fn(h) {
      // One browser tab for all roles: signing out and in again must not
      // leave the previous role's menus or data behind.
      const page = await h.newPage()
      for (const [user, expected] of Object.entries(ROLE_MENUS)) {
        await h.login(page, user)
        await page.waitForURL((u) => u.hash.startsWith(HOME[user] || '#/dashboard'))
        const keys = await menuKeys(page)
        assert.deepEqual([...keys].sort(), [...expected].sort(), `menus of ${user}`)
        const roleTag = await page.locator('[data-test=role-tag]').innerText()
        assert.ok(roleTag.length > 0, `role of ${user} shown`)
        if (user === 'admin') {
          await page.locator('[data-chart=by-store] canvas').waitFor()
          await page.locator('[data-chart=by-status] canvas').waitFor()
          await page.locator('[data-kpi=members] [data-test=kpi-value]').waitFor()
          await page.waitForTimeout(600) // let the charts' entry animation finish
          await h.docShot(page, 'dashboard')
        }
        if (user === 'hq') {
          // Aggregates only: org charts, no member pages.
          await page.locator('[data-chart=stores-by-region] canvas').waitFor()
          await page.goto(`${h.base}/#/members/1`)
          await page.locator('[data-test=forbidden-page]').waitFor()
        }
        if (user === 'auditor') {
          await page.locator('[data-test=audit-table] .el-table__row').first().waitFor()
          await page.goto(`${h.base}/#/settings/users`)
          await page.locator('[data-test=forbidden-page]').waitFor()
        }
        await h.logout(page)
      }
      // A session that ends on the server sends the user back to sign in, with a notice.
      await h.login(page, 'store1')
      await page.locator('[data-chart=by-associate] canvas').waitFor()
      await page.locator('[data-kpi=staff] [data-test=kpi-value]').waitFor()
      await page.waitForLoadState('networkidle')
      await page.context().clearCookies()
      await page.locator('[data-menu=members]').click()
      await page.waitForURL(/#\/login/)
      await page.getByText('登录已过期，请重新登录').waitFor()
    },
  },
  {
    name: 'search a member by number, mobile and card, then open the 360 page',
    async fn(h) {
      // The member with the fullest file among the first of store1's, so the
      // screenshot shows family, preferences and special needs.
      const rows = (await h.apiAs('store1', 'GET', '/members?limit=30')).items
      let best = null
      let bestScore = -1
      for (const r of rows) {
        const m = await h.apiAs('store1', 'GET', `/members/${r.id}`)
        const p = m.preferences
        const score = m.family.length * 2 + m.anniversaries.length + (p.special_needs ? 5 : 0) + p.hobbies.length + p.brands.length + m.tags.length
        if (score > bestScore) [best, bestScore] = [m, score]
      }
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.goto(`${h.base}/#/members`)
      // A store manager's list opens with the store's members, unmasked.
      const firstRow = page.locator('[data-test=member-table] .el-table__body tr').first()
      await firstRow.waitFor()
      assert.match((await firstRow.locator('td').nth(3).innerText()).trim(), /^1\d{10}$/, 'a store manager sees its members unmasked')
      await h.docShot(page, 'member-search')
      const memberNo = best.member_no
      const mobile = best.mobile

      await page.locator('input[name=q]').fill(mobile)
      await page.locator('[data-test=search-button]').click()
      await page.locator('.el-pagination__total').getByText(/共 1 条/).waitFor()
      await page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: memberNo }).waitFor()

      await page.locator('input[name=q]').fill(memberNo)
      await page.locator('input[name=q]').press('Enter')
      await page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: memberNo }).waitFor()
      assert.equal(await page.locator('[data-test=member-table] .el-table__body tr').count(), 1)
      await page.locator('[data-test=open-member]').first().click()

      await page.waitForURL(/#\/members\/\d+$/)
      await page.locator('[data-test=member-head]').waitFor()
      assert.equal((await page.locator('[data-test=member-head] .mono').first().innerText()).trim(), memberNo)
      const cardNo = (await page.locator('[data-test=current-card] .mono').innerText()).trim()
      assert.match(cardNo, /^\d{16}$/)
      // Tabs that later engines fill show a clear empty state.
      for (const tab of ['积分', '消费记录', '回访任务', '联系记录', '投诉工单']) {
        await page.locator('.el-tabs__item').getByText(tab, { exact: true }).click()
        await page.locator('.el-tab-pane:visible [data-test=coming-soon]').waitFor()
      }
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').waitFor()
      await page.locator('.el-tabs__item').getByText('档案', { exact: true }).click()
      await page.waitForTimeout(200)
      await h.docShot(page, 'member')

      // The card number finds the same member.
      await page.goto(`${h.base}/#/members`)
      await page.locator('input[name=q]').fill(cardNo)
      await page.locator('[data-test=search-button]').click()
      await page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: memberNo }).waitFor()

      // An unknown name shows the empty state.
      await page.locator('input[name=q]').fill('不存在的姓名')
      await page.locator('[data-test=search-button]').click()
      await page.getByText('未找到符合条件的会员').waitFor()
    },
  },
  {
    name: 'register a member: bad mobile on the field, server error on the field, then success',
    async fn(h) {
      // An existing member's mobile, for the duplicate warning (till lookup shows it to any associate).
      const other = (await h.apiAs('admin', 'GET', '/members?limit=1&status=formal')).items[0]
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.goto(`${h.base}/#/members/new`)
      await page.locator('[data-test=member-form]').waitFor()
      await page.locator('[data-field=name] input').fill('测试会员')

      // 1. A bad mobile: the client check names the mobile field, nothing is sent.
      await page.locator('[data-field=mobile] input').fill('12345')
      await page.locator('[data-test=member-submit]').click()
      const mobileError = page.locator('[data-field=mobile] .el-form-item__error')
      await mobileError.waitFor()
      assert.match(await mobileError.innerText(), /11 位/)
      await h.docShot(page, 'member-form-error')

      // 2. A registered mobile: warned before saving.
      await page.locator('[data-field=mobile] input').fill(other.mobile)
      await page.locator('[data-field=mobile] input').blur()
      await page.locator('[data-test=duplicate-warning]').getByText(other.member_no).waitFor()
      await page.locator('[data-test=member-submit]').click()
      await page.locator('.el-message-box').getByText('不能重复登记').waitFor()
      await page.locator('.el-message-box .el-button--primary').click()

      // 3. A referrer that does not exist: only the server knows; its error lands on that field.
      const mobile = newMobile()
      await page.locator('[data-field=mobile] input').fill(mobile)
      await page.locator('[data-field=mobile] input').blur()
      await page.locator('[data-field=referrer_id] input').fill('99999999')
      await page.locator('[data-test=member-submit]').click()
      const refError = page.locator('[data-field=referrer_id] .el-form-item__error')
      await refError.waitFor()
      assert.match(await refError.innerText(), /会员不存在/)
      await page.locator('[data-test=form-error]').waitFor()

      // 4. Good data: registered with a temporary card, the 360 page opens.
      await page.locator('[data-field=referrer_id] input').fill('')
      await page.locator('[data-test=member-submit]').click()
      await page.waitForURL(/#\/members\/\d+$/)
      await page.locator('[data-test=member-name]').getByText('测试会员').waitFor()
      assert.equal((await page.locator('[data-test=member-mobile]').innerText()).trim(), mobile)
      await page.locator('[data-test=current-card]').getByText('临时卡').waitFor()

      // Editing keeps optimistic locking: change the name and save.
      await page.locator('[data-test=edit-member]').click()
      await page.waitForURL(/\/edit$/)
      await page.locator('[data-field=name] input').fill('测试会员乙')
      await page.locator('[data-test=member-submit]').click()
      await page.waitForURL(/#\/members\/\d+$/)
      await page.locator('[data-test=member-name]').getByText('测试会员乙').waitFor()
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').getByText('测试会员 → 测试会员乙').waitFor()
    },
  },
  {
    name: "an associate cannot open another associate's member",
    async fn(h) {
      const me = await h.apiAs('assoc1', 'GET', '/auth/me')
      const all = await h.apiAs('admin', 'GET', '/members?limit=50&status=formal')
      const other = all.items.find((m) => m.associate_id && m.associate_id !== me.staff_id && m.mobile)
      assert.ok(other, 'a member of another associate')
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      // At the till the exact mobile finds the member, masked.
      await page.goto(`${h.base}/#/members`)
      await page.locator('input[name=q]').fill(other.mobile)
      await page.locator('[data-test=search-button]').click()
      const row = page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: other.member_no })
      await row.waitFor()
      assert.match(await row.locator('[data-masked]').innerText(), /^\d{3}\*{4}\d{4}$/)
      // Opening the file is refused with a clear message.
      await row.getByRole('button').click()
      await page.locator('[data-test=member-forbidden]').waitFor()
      await page.getByText('无权查看该会员档案').waitFor()
      // So is a deep link, and the edit page.
      await page.goto(`${h.base}/#/members/${other.id}/edit`)
      await page.getByText('该会员不在您的服务范围内').waitFor()
    },
  },
  {
    name: 'a new account must change its temporary password first',
    async fn(h) {
      const username = `ui-test-${Date.now() % 100000}`
      await h.apiAs('admin', 'POST', '/users', { username, password: 'temporary-123', role: 'hq_analyst' })
      const page = await h.newPage()
      await h.login(page, username, 'temporary-123')
      await page.waitForURL(/#\/password/)
      await page.locator('[data-test=must-change]').waitFor()
      await page.goto(`${h.base}/#/dashboard`)
      await page.waitForURL(/#\/password/)
      await page.locator('input[name=old_password]').fill('temporary-123')
      await page.locator('input[name=new_password]').fill('12345678')
      await page.locator('input[name=confirm_password]').fill('12345678')
      await page.locator('[data-test=password-submit]').click()
      await page.getByText('密码不能全为数字').waitFor()
      await page.locator('input[name=new_password]').fill('a-better-pass-1')
      await page.locator('input[name=confirm_password]').fill('a-better-pass-1')
      await page.locator('[data-test=password-submit]').click()
      await page.waitForURL(/#\/dashboard/)
      assert.deepEqual(await menuKeys(page), ['dashboard'])
    },
  },
  {
    name: 'admin: settings and compliance pages load; a prospect gets a temporary card',
    async fn(h) {
      const page = await h.newPage()
      await h.login(page, 'admin')
      for (const [path, selector] of [
        ['/settings/stores', '[data-test=stores-table] .el-table__row'],
        ['/settings/staff', '[data-test=staff-table] .el-table__row'],
        ['/settings/users', '[data-test=role-matrix] .el-table__row'],
        ['/grants', '[data-test=grants-page] .el-table'],
        ['/settings/company', '[data-test=company-page] input'],
        ['/audit', '[data-test=audit-table] .el-table__row'],
        ['/destruction-records', '[data-test=destruction-page] .el-table'],
      ]) {
        await page.goto(`${h.base}/#${path}`)
        await page.locator(selector).first().waitFor()
      }
      await page.goto(`${h.base}/#/settings/users`)
      await page.locator('[data-test=users-table] .el-table__row').first().waitFor()

      const prospect = (await h.apiAs('admin', 'GET', '/members?status=prospect&limit=1')).items[0]
      assert.ok(prospect, 'the demo chain has a prospect')
      await page.goto(`${h.base}/#/members/${prospect.id}`)
      await page.locator('[data-test=member-head]').getByText('无有效卡').waitFor()
      await page.locator('[data-test=issue-card]').click()
      await page.locator('[data-test=issue-temporary]').click()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator('[data-test=current-card]').getByText('临时卡').waitFor()
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').getByText('会员卡').first().waitFor()
    },
  },
  {
    name: 'a time-limited grant lets a call-centre account open a member, until revoked',
    async fn(h) {
      const member = (await h.apiAs('admin', 'GET', '/members?status=formal&limit=1&offset=5')).items[0]
      const local = (d) =>
        new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d)
      const page = await h.newPage()
      await h.login(page, 'admin')
      await page.goto(`${h.base}/#/grants`)
      await page.locator('[data-test=new-grant]').click()
      const dialog = page.locator('.el-dialog')
      await dialog.locator('[data-field=grantee_id] .el-select').click()
      await page.locator('.el-select-dropdown__item').filter({ hasText: 'callcenter1' }).click()
      await dialog.locator('[data-field=member_ids] input').fill(member.member_no)
      await page.locator('.el-select-dropdown__item').filter({ hasText: member.member_no }).click()
      await dialog.locator('[data-field=purpose] input').click() // close the member list
      const [start, end] = await dialog.locator('[data-field=window] input').all()
      await start.fill(local(new Date(Date.now() - 60000)))
      await end.fill(local(new Date(Date.now() + 86400000)))
      await end.press('Enter')
      await dialog.locator('[data-field=purpose] input').fill('生日回访电话')
      await page.locator('[data-test=grant-submit]').click()
      await page.locator('[data-test=grants-table] [data-test=grant-state]').getByText('生效中').first().waitFor()

      // The call centre sees the granted member and may open the file.
      const cc = await h.newPage()
      await h.login(cc, 'callcenter1')
      await cc.goto(`${h.base}/#/members`)
      await cc.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: member.member_no }).getByRole('button').click()
      await cc.locator('[data-test=member-head]').getByText(member.member_no).waitFor()

      // Revoked: the grant shows so, and the call centre is signed out.
      await page.locator('[data-test=revoke-grant]').first().click()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator('[data-test=grants-table] [data-test=grant-state]').getByText('已撤销').first().waitFor()
      await cc.goto(`${h.base}/#/members`)
      await cc.waitForURL(/#\/login/)
    },
  },
  {
    name: 'pages fit 1366x768 and a 768px tablet; English switch works',
    timeout: 40,
    async fn(h) {
      const memberId = (await h.apiAs('store1', 'GET', '/members?limit=1')).items[0].id
      const page = await h.newPage()
      await h.login(page, 'store1')
      for (const [width, height] of [
        [1366, 768],
        [768, 1024],
      ]) {
        await page.setViewportSize({ width, height })
        await page.goto(`${h.base}/#/dashboard`)
        await page.locator('[data-chart=by-associate] canvas').waitFor()
        await noHorizontalOverflow(page, `dashboard at ${width}`)
        for (const path of ['/members', `/members/${memberId}`, '/members/new']) {
          await page.goto(`${h.base}/#${path}`)
          await page.locator('.page').first().waitFor()
          await page.waitForTimeout(150)
          await noHorizontalOverflow(page, `${path} at ${width}`)
        }
      }
      // The side menu collapses to icons on a tablet.
      assert.ok((await page.locator('[data-test=nav]').getAttribute('class')).includes('el-menu--collapse'))
      await page.goto(`${h.base}/#/members/${memberId}`)
      await page.locator('[data-test=member-head]').waitFor()
      await h.docShot(page, 'member-tablet')

      await page.setViewportSize({ width: 1366, height: 768 })
      await h.logout(page)
      await h.login(page, 'admin')
      await page.locator('[data-test=lang-switch]').click()
      await page.locator('.el-dropdown-menu__item[data-locale=en]').click()
      await page.locator('[data-menu=members]').getByText('Member search').waitFor()
      await page.goto(`${h.base}/#/settings/users`)
      await page.locator('[data-test=role-matrix]').getByText('Regional supervisor').waitFor()
    },
  },
]
