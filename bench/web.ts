/**
 * Web UI benchmark: `npm run bench:web` (after `npm run build`).
 *
 * 1. Bundle: the JavaScript the issue list's first load fetches (the scripts and module preloads
 *    index.html names), as the .gz and .br files the server sends. Budget: 250 KB gzipped.
 * 2. Time to interactive with 100 issues: `faultline start --bootstrap` on a fresh embedded
 *    database, 100 distinct errors sent as envelopes, the admin's password set through the printed
 *    link's API, then in Debian's Chromium (cache off, signed in) the time from navigating to the
 *    issue list until its first page of rows is on screen and the query bar takes input. Median of
 *    --runs (BENCH_WEB_RUNS, default 7). Target: under 1 s.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BenchFlags } from './lib/flags';
import { freePort, sleep, stopChild, tailOf, waitForHttp } from './lib/proc';

const ROOT = path.resolve(__dirname, __dirname.endsWith(`${path.sep}dist`) ? '../..' : '..');
const WEB_DIST = path.join(ROOT, 'web', 'dist');
const CLI = path.join(ROOT, 'core', 'dist', 'cli', 'main.js');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ISSUES = 100;

function bundleSizes(): { files: string[]; gzip: number; brotli: number; raw: number } {
  const html = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g),
  ].map((m) => m[1]);
  let gzip = 0;
  let brotli = 0;
  let raw = 0;
  for (const file of files) {
    const at = path.join(WEB_DIST, file);
    raw += fs.statSync(at).size;
    gzip += fs.statSync(`${at}.gz`).size;
    brotli += fs.statSync(`${at}.br`).size;
  }
  return { files, gzip, brotli, raw };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** One event of its own fingerprint: a distinct exception type per issue. */
function envelope(index: number): string {
  const eventId = randomUUID().replaceAll('-', '');
  const event = {
    event_id: eventId,
    platform: 'javascript',
    level: 'error',
    timestamp: Date.now() / 1000,
    exception: {
      values: [
        {
          type: `BenchError${index}`,
          value: `Something failed in step ${index}`,
          stacktrace: {
            frames: [{ filename: 'app.js', function: `step${index}`, lineno: index + 1, in_app: true }],
          },
        },
      ],
    },
  };
  const body = JSON.stringify(event);
  return [
    JSON.stringify({ event_id: eventId }),
    JSON.stringify({ type: 'event', length: Buffer.byteLength(body) }),
    body,
  ].join('\n');
}

async function api(
  url: string,
  method: string,
  pathname: string,
  body?: unknown,
  token?: string,
): Promise<Response> {
  return fetch(`${url}/api/0${pathname}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function main(): Promise<void> {
  const flags = new BenchFlags(process.argv.slice(2));
  const runs = flags.num('runs', 'BENCH_WEB_RUNS', 7, 1, 100);
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html')))
    throw new Error('web/dist is not built: npm run build');

  const bundle = bundleSizes();
  console.log(`first-load JavaScript of the issue list (${bundle.files.join(', ')}):`);
  console.log(
    `  ${kb(bundle.gzip)} gzip, ${kb(bundle.brotli)} brotli, ${kb(bundle.raw)} raw (budget 250 KB gzip)`,
  );

  if (!fs.existsSync(CHROMIUM)) {
    console.log(`time to interactive: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-web-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-chromium-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--bootstrap',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--public-url',
      url,
      '--data-dir',
      dataDir,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', WEB_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let printed = '';
  server.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const stderr = tailOf(server.stderr);
  const alive = () => server.exitCode === null;
  try {
    await waitForHttp(`${url}/_health`, 120_000, alive);
    for (let i = 0; i < 50 && !/API token/.test(printed); i++) await sleep(100);
    const token = /API token \([^)]*\):\s+(\S+)/.exec(printed)?.[1];
    const dsnKey = /DSN for your Sentry SDK:\s+http:\/\/([0-9a-f]+)@/.exec(printed)?.[1];
    const link = /choose a password at (\S+)/.exec(printed)?.[1];
    if (!token || !dsnKey || !link) throw new Error(`unexpected start output:\n${printed}\n${stderr()}`);
    const password = 'bench passphrase for the web UI';
    const reset = await api(url, 'POST', '/auth/password-reset/complete/', {
      token: new URL(link).searchParams.get('token'),
      newPassword: password,
    });
    if (reset.status !== 204) throw new Error(`setting the password answered ${reset.status}`);

    for (let i = 0; i < ISSUES; i++) {
      const res = await fetch(`${url}/api/1/envelope/`, {
        method: 'POST',
        headers: { 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${dsnKey}` },
        body: envelope(i),
      });
      if (res.status !== 200) throw new Error(`envelope ${i} answered ${res.status}`);
    }
    for (let waited = 0; ; waited += 250) {
      const res = await api(url, 'GET', '/projects/faultline/app/issues/?query=&limit=100', undefined, token);
      const count = ((await res.json()) as unknown[]).length;
      if (count >= ISSUES) break;
      if (waited > 120_000) throw new Error(`only ${count} of ${ISSUES} issues after 2 min`);
      await sleep(250);
    }

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await context.newPage();
      await page.goto(`${url}/auth/login`);
      await page.getByLabel('Email').fill('admin@faultline.local');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('.issue-table tbody tr');
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        await page.goto('about:blank');
        const started = performance.now();
        await page.goto(`${url}/organizations/faultline/issues/`, { waitUntil: 'commit' });
        await page.waitForSelector('.issue-table tbody tr:nth-child(25)');
        await page.getByLabel('Search issues').fill('BenchError7');
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      console.log(
        `time to interactive, issue list with ${ISSUES} issues (first page of 25 on screen, query bar typed in), cache off, ${runs} runs:`,
      );
      console.log(
        `  median ${median.toFixed(0)} ms, fastest ${times[0].toFixed(0)} ms, slowest ${times.at(-1)!.toFixed(0)} ms (target < 1000 ms)`,
      );
    } finally {
      await context.close();
    }
  } finally {
    await stopChild(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
