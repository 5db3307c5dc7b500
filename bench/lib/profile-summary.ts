/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by area of the
 * code base, and inclusive time of the functions that matter for ingestion. Usable as a module (the
 * benchmark calls it with BENCH_PROFILE=1) or directly:
 *   node --import tsx lib/profile-summary.ts results/profiles/<file>.cpuprofile
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  byArea: { area: string; ms: number; share: number }[];
  topSelf: { fn: string; ms: number; share: number }[];
  inclusive: { fn: string; ms: number; share: number }[];
}

/** Functions whose inclusive (self + callees) CPU time is reported when they appear in the profile. */
const INCLUSIVE_OF = [
  'handle',
  'readBody',
  'readLimited',
  'parseEnvelope',
  'ingestEnvelope',
  'splitItems',
  'parseJsonPayload',
  'insertEvents',
  'processClaimed',
  'prepareEvent',
  'normalizeEvent',
  'computeGrouping',
  'deriveIssueMetadata',
  'storeEventBatch',
  'stringify',
  'parse',
  'prepareValue',
  'arrayString',
  'parseRow',
  'errorMiddleware',
  'dispatch',
];

function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    if (functionName === '(root)') return 'root';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const core = /\/core\/dist\/([^/]+)\//.exec(url) ?? /\/core\/src\/([^/]+)\//.exec(url);
  if (core) return `core/${core[1]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m ? m[1] : url}`;
  }
  return url.split('/').slice(-2).join('/');
}

const key = (frame: CallFrame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(core|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + ms);
  }
  let totalMs = 0;
  let idleMs = 0;
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const wanted = new Set(INCLUSIVE_OF);
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    totalMs += ms;
    const area = areaOf(node.callFrame);
    if (area === 'idle') {
      idleMs += ms;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const k = key(node.callFrame);
    fns.set(k, (fns.get(k) ?? 0) + ms);
    // Inclusive: credit each wanted function once per stack it appears in.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame || !wanted.has(frame.functionName)) continue;
      const label =
        frame.functionName === 'parse' || frame.functionName === 'stringify'
          ? `JSON.${frame.functionName} (${areaOf(frame)})`
          : `${frame.functionName} (${areaOf(frame)})`;
      if (seen.has(label)) continue;
      seen.add(label);
      inclusive.set(label, (inclusive.get(label) ?? 0) + ms);
    }
  }
  const busyMs = totalMs - idleMs;
  const share = (ms: number) => Math.round((ms / busyMs) * 1000) / 10;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    file,
    totalMs: Math.round(totalMs),
    idleMs: Math.round(idleMs),
    busyMs: Math.round(busyMs),
    byArea: sorted(areas).map(([area, ms]) => ({ area, ms: Math.round(ms), share: share(ms) })),
    topSelf: sorted(fns)
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms), share: share(ms) })),
    inclusive: sorted(inclusive).map(([fn, ms]) => ({ fn, ms: Math.round(ms), share: share(ms) })),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [
    `CPU profile ${summary.file}`,
    `  ${summary.totalMs} ms sampled, ${summary.busyMs} ms busy, ${summary.idleMs} ms idle; shares are of busy time`,
    '  By area (self time):',
    ...summary.byArea
      .slice(0, 20)
      .map((a) => `    ${String(a.share).padStart(5)}%  ${String(a.ms).padStart(7)} ms  ${a.area}`),
    '  Inclusive time of ingestion functions:',
    ...summary.inclusive.map(
      (a) => `    ${String(a.share).padStart(5)}%  ${String(a.ms).padStart(7)} ms  ${a.fn}`,
    ),
    '  Top functions (self time):',
    ...summary.topSelf.map(
      (a) => `    ${String(a.share).padStart(5)}%  ${String(a.ms).padStart(7)} ms  ${a.fn}`,
    ),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: profile-summary <file.cpuprofile>...\n');
    process.exit(2);
  }
  for (const file of files) process.stdout.write(formatProfile(summarizeProfile(file, 40)) + '\n');
}
