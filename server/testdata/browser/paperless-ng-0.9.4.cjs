// The paperless-ng 0.9.4 web UI (../shared/fixtures/paperless-ng-ui/0.9.4,
// served by Quire's --ui-dir with QUIRE_DEFAULT_API_VERSION=0, the 0.9
// dialect) as a person uses it, page by page. 0.9.4 signs in like 1.5.0
// (the server's session login, then the csrftoken cookie echoed in
// X-CSRFToken), reads nested correspondent/document_type/tags objects,
// writes correspondent_id/document_type_id/tags_id, searches through
// /api/search/ and reads /api/logs/ as paginated records. Env: as
// paperless-ng-1.5.0.cjs.
'use strict';

const { watch, steps } = require('./paperless-ui.cjs');

module.exports = async ({ page, baseURL, env, log, assert }) => {
  const fx = JSON.parse(env.UI_FIXTURE);
  const w = await watch(page, log);
  const { step, results } = steps(page, w, log, env.BROWSER_KEEP_GOING === '1');
  const out = { steps: results };
  const docCount = fx.documents.length;
  const rows = page.locator('app-document-list table tbody tr');
  // waitRows waits until the table shows exactly these titles.
  const shown = () => page.$$eval('app-document-list table tbody tr a[title="Edit document"]', (as) => as.map((a) => a.textContent.trim()));
  const waitRows = async (titles) => {
    try {
      await page.waitForFunction(
        (want) => {
          const got = [...document.querySelectorAll('app-document-list table tbody tr a[title="Edit document"]')].map((a) => a.textContent.trim());
          return got.length === want.length && want.every((t) => got.includes(t));
        },
        titles,
      );
    } catch (err) {
      throw new Error(`the table should list ${JSON.stringify(titles)}, it lists ${JSON.stringify(await shown().catch(() => '?'))}: ${err.message.split('\n')[0]}`);
    }
  };
  const allTitles = fx.documents.map((d) => d.title);
  const openList = async () => {
    await page.goto('/documents');
    await page.click('app-document-list label:has(input[value=details])');
    await waitRows(allTitles);
  };
  // clearFilter empties the filter editor and applies it.
  const clearFilter = async () => {
    if (!(await page.locator('app-filter-editor').isVisible())) await page.click('app-document-list button:text-is("Filter")');
    await page.click('app-filter-editor button:text-is("Clear")');
    await page.click('app-filter-editor button:text-is("Apply")');
    await waitRows(allTitles);
  };

  await step('log in through /accounts/login/', async () => {
    await page.goto('/dashboard');
    assert.strictEqual(new URL(page.url()).pathname, '/accounts/login/', 'no session: the UI should lead to the login form');
    await page.fill('#username', env.QUIRE_USER);
    await page.fill('#password', env.QUIRE_PASSWORD);
    await Promise.all([page.waitForURL(baseURL + '/dashboard'), page.click('button[type=submit]')]);
    await page.waitForSelector(`app-statistics-widget >> text=Total documents: ${docCount}`);
  });

  await step('document list: table (nested correspondent and tags), small cards, large cards', async () => {
    await openList();
    assert.strictEqual(await rows.count(), docCount, 'table rows');
    // 0.9.4 reads the names from the nested objects.
    for (const t of fx.tag.documents) {
      await page.locator(`app-document-list table tr:has(a:text-is("${t}")) app-tag >> text=${fx.tag.name}`).waitFor();
    }
    for (const t of fx.correspondent.documents) {
      await page.locator(`app-document-list table tr:has(a:text-is("${t}")) a:text-is("${fx.correspondent.name}")`).waitFor();
    }
    await page.click('app-document-list label:has(input[value=smallCards])');
    await page.waitForSelector('app-document-card-small');
    assert.strictEqual(await page.locator('app-document-card-small').count(), docCount, 'small cards');
    await page.click('app-document-list label:has(input[value=largeCards])');
    await page.waitForSelector('app-document-card-large');
    assert.strictEqual(await page.locator('app-document-card-large').count(), docCount, 'large cards');
    await page.click('app-document-list label:has(input[value=details])');
    await waitRows(allTitles);
  });

  await step('filter by tag and by correspondent', async () => {
    await openList();
    const first = fx.tag.documents[0];
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('tags__id__all=' + fx.tag.id) && r.status() === 200),
      page.click(`app-document-list table tr:has(a:text-is("${first}")) app-tag >> text=${fx.tag.name}`),
    ]);
    await waitRows(fx.tag.documents);
    await clearFilter();
    const c = fx.correspondent.documents[0];
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('correspondent__id=' + fx.correspondent.id) && r.status() === 200),
      page.click(`app-document-list table tr:has(a:text-is("${c}")) a:text-is("${fx.correspondent.name}")`),
    ]);
    await waitRows(fx.correspondent.documents);
    await clearFilter();
  });

  await step('open a document, set its tags and correspondent, save', async () => {
    await openList();
    const d = fx.edit;
    await page.click(`app-document-list table a:text-is("${d.title}")`);
    await page.waitForURL(baseURL + '/documents/' + d.id);
    const title = page.locator('app-document-detail app-input-text input').first();
    await page.waitForFunction((t) => {
      const el = document.querySelector('app-document-detail app-input-text input');
      return el && el.value === t;
    }, d.title);
    await page.selectOption('app-document-detail app-input-select:has(label:text-is("Correspondent")) select', { label: d.correspondent });
    await page.click('app-document-detail app-input-tags button[ngbdropdowntoggle]');
    await page.click(`app-document-detail app-input-tags .dropdown-menu button:has-text("${d.addTag}")`);
    await page.locator(`app-document-detail app-input-tags #tags app-tag >> text=${d.addTag}`).waitFor();
    const [put] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/api/documents/${d.id}/`),
      page.click('app-document-detail button[type=submit]'),
    ]);
    assert.strictEqual(put.status(), 200, 'PUT answers ' + put.status());
    const sent = put.request().postDataJSON();
    assert.ok('correspondent_id' in sent && 'tags_id' in sent, '0.9.4 writes correspondent_id and tags_id: ' + JSON.stringify(sent));
    await page.waitForURL(baseURL + '/documents');
    const row = page.locator(`app-document-list table tr:has(a:text-is("${d.title}"))`);
    await row.locator(`a:text-is("${d.correspondent}")`).waitFor();
    await row.locator(`app-tag >> text=${d.addTag}`).waitFor();
    void title;
  });

  await step('full-text search with autocomplete and highlights', async () => {
    await page.goto('/dashboard');
    const box = page.locator('app-root input[aria-label=Search]');
    await box.click();
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/search/autocomplete/' && r.status() === 200),
      box.type(fx.search.prefix, { delay: 30 }),
    ]);
    const option = page.locator(`ngb-typeahead-window button:has-text("${fx.search.word}")`);
    await option.waitFor();
    await option.click();
    assert.strictEqual((await box.inputValue()).trim(), fx.search.word, 'autocomplete fills the word in');
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/search/' && r.status() === 200),
      box.press('Enter'),
    ]);
    await page.waitForURL(/\/search\?query=/);
    await page.waitForSelector(`app-search >> text=${fx.search.documents.length} result(s)`);
    const hit = page.locator(`app-document-card-large:has-text("${fx.search.documents[0]}") span.match`).first();
    await hit.waitFor();
    assert.strictEqual((await hit.textContent()).trim().toLowerCase(), fx.search.word.toLowerCase(), 'highlighted word');
  });

  const manage = [
    { what: 'tags', path: '/tags', dialog: 'app-tag-edit-dialog' },
    { what: 'correspondents', path: '/correspondents', dialog: 'app-correspondent-edit-dialog' },
    { what: 'document types', path: '/documenttypes', dialog: 'app-document-type-edit-dialog' },
  ];
  out.created = {};
  for (const m of manage) {
    await step(`${m.what}: create and edit through the dialogs`, async () => {
      await page.goto(m.path);
      await page.waitForSelector('app-page-header button:has-text("Create")');
      await page.click('app-page-header button:has-text("Create")');
      const name = `UI ${m.what} ${Date.now() % 100000}`;
      const nameInput = page.locator(`${m.dialog} app-input-text:has(label:text-is("Name")) input`);
      await nameInput.fill(name);
      const [post] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.click(`${m.dialog} button[type=submit]`),
      ]);
      assert.strictEqual(post.status(), 201, 'create answers ' + post.status());
      await page.waitForSelector(m.dialog, { state: 'detached' });
      const row = page.locator(`table tbody tr:has(td:text-is("${name}"))`);
      await row.waitFor();
      await row.locator('button:text-is("Edit")').click();
      await nameInput.fill(name + ' renamed');
      const [put] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PUT'),
        page.click(`${m.dialog} button[type=submit]`),
      ]);
      assert.strictEqual(put.status(), 200, 'edit answers ' + put.status());
      await page.waitForSelector(`table tbody td:text-is("${name} renamed")`);
      out.created[m.what] = name + ' renamed';
    });
  }

  await step('upload a PDF on the dashboard and wait until it is consumed', async () => {
    await page.goto('/dashboard');
    await page.waitForSelector('app-upload-file-widget');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/documents/post_document/'),
      page.setInputFiles('app-upload-file-widget input[type=file]', env.UI_UPLOAD),
    ]);
    assert.strictEqual(resp.status(), 200, 'post_document answers ' + resp.status());
    await page.waitForSelector('ngb-toast >> text=will be processed by the consumer');
    // 0.9.4 has no progress channel: look at the list until it shows up.
    const title = 'Meeting minutes';
    const deadline = Date.now() + 40000;
    for (;;) {
      await page.goto('/documents');
      await page.click('app-document-list label:has(input[value=details])');
      await page.waitForSelector('app-document-list table tbody tr');
      const link = page.locator(`app-document-list table a:text-is("${title}")`);
      if (await link.count()) {
        out.uploaded = Number((await link.getAttribute('href')).split('/').pop());
        break;
      }
      if (Date.now() > deadline) throw new Error(`"${title}" did not appear in the list within 40 s`);
      await page.waitForTimeout(500);
    }
  });

  await step('logs', async () => {
    const [resp] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/logs/'),
      page.goto('/logs'),
    ]);
    assert.strictEqual(resp.status(), 200, '/api/logs/ answers ' + resp.status());
    const body = await resp.json();
    assert.ok(body && Array.isArray(body.results), '0.9.4 reads paginated log records: ' + JSON.stringify(body).slice(0, 200));
    await page.waitForSelector('app-logs .bg-dark p');
  });

  const failed = results.filter((s) => !s.ok);
  if (failed.length) {
    const e = new Error('failed steps: ' + failed.map((s) => s.name).join('; '));
    e.steps = results;
    throw e;
  }
  return out;
};
