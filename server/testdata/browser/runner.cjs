#!/usr/bin/env node
// Quire's browser test runner: `node runner.cjs SCRIPT` runs SCRIPT (a
// CommonJS module exporting `async function ({page, context, baseURL, env,
// log, assert})`) in Debian's chromium, driven by playwright-core from
// .ci/browser/node_modules (installed by .ci/setup), with the network off:
// every request to another host than QUIRE_BASE_URL's is aborted and
// counted, and any such attempt fails the run. Page errors, console errors
// and Content-Security-Policy violations fail it too.
//
// Environment:
//   QUIRE_BASE_URL   the server under test, e.g. http://127.0.0.1:41234 (required)
//   CHROMIUM         the browser binary (default /usr/bin/chromium)
//   PLAYWRIGHT_DIR   where playwright-core is installed (default: .ci/browser
//                    of this repository)
//   BROWSER_TIMEOUT_MS  overall limit (default 60000)
//   BROWSER_ALLOW_CONSOLE_ERRORS=1  do not fail on console errors
//   BROWSER_SCREENSHOT  if set, a PNG of the page when the script ends
// Anything else (user names, passwords) is passed to the script as env.
//
// It prints one JSON line ({"ok":…, "blocked":[…], "errors":[…], "result":…})
// last and exits 0 only when the script passed.
'use strict';

const path = require('path');
const assert = require('assert');

async function main() {
  const script = process.argv[2];
  const baseURL = process.env.QUIRE_BASE_URL;
  if (!script || !baseURL) {
    throw new Error('usage: QUIRE_BASE_URL=http://host:port node runner.cjs SCRIPT');
  }
  const pwDir = process.env.PLAYWRIGHT_DIR || path.join(__dirname, '..', '..', '..', '.ci', 'browser');
  const { chromium } = require(require.resolve('playwright-core', { paths: [pwDir] }));
  const allowedHost = new URL(baseURL).host;
  const blocked = [];
  const errors = [];
  const log = (...args) => console.error('[browser]', ...args);

  const args = ['--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync', '--disable-domain-reliability', '--disable-breakpad'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    args.push('--no-sandbox'); // chromium refuses to run as root with its sandbox
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args,
  });
  let result;
  try {
    const context = await browser.newContext({ baseURL });
    // The network is off: only the server under test answers.
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host === allowedHost) {
        return route.continue();
      }
      // chromium's own pages (its PDF viewer, shown for an <object> of a
      // PDF) load their parts from the browser itself, not the network.
      if (u.protocol === 'chrome:' || u.protocol === 'chrome-extension:') {
        return route.continue();
      }
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    // CSP violations are errors too, reported from every page.
    await context.exposeBinding('__quireCSPViolation', (_source, v) => errors.push('CSP violation: ' + v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__quireCSPViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    context.on('weberror', (e) => errors.push('page error: ' + String(e.error())));
    context.on('console', (m) => {
      if (m.type() === 'error' && process.env.BROWSER_ALLOW_CONSOLE_ERRORS !== '1') {
        errors.push('console error: ' + m.text());
      }
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    const run = require(path.resolve(script));
    const limit = Number(process.env.BROWSER_TIMEOUT_MS || 60000);
    result = await Promise.race([
      run({ page, context, baseURL, env: process.env, log, assert }),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit).unref()),
    ]);
    if (process.env.BROWSER_SCREENSHOT) {
      await page.screenshot({ path: process.env.BROWSER_SCREENSHOT });
    }
  } finally {
    await browser.close();
  }
  return { result, blocked, errors };
}

main().then(
  ({ result, blocked, errors }) => {
    const ok = blocked.length === 0 && errors.length === 0;
    if (blocked.length) console.error('[browser] requests to other hosts (aborted):\n  ' + blocked.join('\n  '));
    if (errors.length) console.error('[browser] errors:\n  ' + errors.join('\n  '));
    console.log(JSON.stringify({ ok, blocked, errors, result: result === undefined ? null : result }));
    process.exit(ok ? 0 : 1);
  },
  (err) => {
    console.error('[browser] FAILED: ' + (err && err.stack ? err.stack : err));
    // A script may attach what it found so far (err.steps) to its error.
    const result = err && err.steps ? { steps: err.steps } : null;
    console.log(JSON.stringify({ ok: false, error: String(err && err.message ? err.message : err), result }));
    process.exit(1);
  },
);
