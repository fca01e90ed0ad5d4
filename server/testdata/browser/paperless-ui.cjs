// Shared by the paperless-ng web UI scripts (paperless-ng-1.5.0.cjs,
// paperless-ng-0.9.4.cjs): named steps, and a watch on what the page must
// never show — an error toast, an API answer of 4xx/5xx that the step did
// not expect, a request that failed on the network. (runner.cjs already
// fails the run on console errors, page errors and other hosts.)
'use strict';

// watch starts watching page and returns {problems, expect, check}:
// expect(method, pathRegExp, status) allows one kind of answer (a 404 the UI
// asks for on purpose, say); check() throws when anything went wrong since
// the last check.
async function watch(page, log) {
  const problems = [];
  const allowed = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    const line = `${r.request().method()} ${u.pathname}${u.search} -> ${r.status()}`;
    if (process.env.BROWSER_TRACE === '1' && (u.pathname.startsWith('/api/') || r.status() >= 400)) log(line);
    if (r.status() < 400) return;
    if (allowed.some((a) => a.method === r.request().method() && a.path.test(u.pathname) && a.status === r.status())) return;
    r.text().then(
      (body) => problems.push(`failed request: ${line}: ${body.slice(0, 300)}`),
      () => problems.push(`failed request: ${line}`),
    );
  });
  // The browser's own pages (chromium's PDF viewer in an <object>, say)
  // load chrome:// and chrome-extension:// resources that headless
  // chromium refuses; they are not the page's nor the server's.
  const own = (url) => /^(chrome|chrome-extension|devtools):/.test(url || '');
  page.on('console', (m) => {
    if (m.type() === 'error' && !own(m.location().url)) problems.push('console error: ' + m.text() + ' at ' + m.location().url);
  });
  page.on('requestfailed', (req) => {
    const f = req.failure() ? req.failure().errorText : '';
    // A page that navigates away cancels what it was still loading
    // (thumbnails): that is the browser's doing, not the server's.
    if (f === 'net::ERR_ABORTED' || f === 'net::ERR_BLOCKED_BY_CLIENT' || own(req.url())) return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${f}`);
  });
  // Error toasts: both UIs title them "Error" (ToastService.showError /
  // Toast.makeError); an observer reports each one as it appears.
  await page.exposeBinding('__quireToast', (_src, title, text) => {
    if (/error/i.test(title)) problems.push(`error toast: ${text}`);
    else log('toast:', title, '|', text);
  });
  await page.addInitScript(() => {
    const seen = new WeakSet();
    const scan = () => {
      for (const t of document.querySelectorAll('ngb-toast, .toast')) {
        if (seen.has(t)) continue;
        const head = t.querySelector('.toast-header');
        if (!head) continue;
        seen.add(t);
        window.__quireToast(head.textContent.trim(), t.textContent.replace(/\s+/g, ' ').trim());
      }
    };
    new MutationObserver(scan).observe(document, { childList: true, subtree: true });
  });
  return {
    problems,
    expect(method, path, status) {
      allowed.push({ method, path, status });
    },
    async check() {
      await page.waitForTimeout(50); // let response bodies arrive
      if (problems.length) {
        const p = problems.splice(0);
        throw new Error(p.join('\n'));
      }
    },
  };
}

// steps runs named steps in order. With keepGoing (BROWSER_KEEP_GOING=1) a
// failing step is recorded and the next one runs (each step starts from its
// own URL), so one run lists every step that fails; otherwise the first
// failure ends the run. Every step must also leave no problem behind.
function steps(page, w, log, keepGoing) {
  const results = [];
  async function step(name, fn) {
    const t0 = Date.now();
    log('step:', name);
    try {
      await fn();
      await w.check();
      results.push({ name, ok: true, ms: Date.now() - t0 });
    } catch (err) {
      const msg = String(err && err.message ? err.message : err).split('\n').slice(0, 8).join('\n');
      results.push({ name, ok: false, error: msg });
      log(`step "${name}" FAILED: ${msg}`);
      if (!keepGoing) {
        const e = new Error(`step "${name}": ${msg}`);
        e.steps = results;
        throw e;
      }
      w.problems.splice(0);
    }
  }
  return { step, results };
}

module.exports = { watch, steps };
