/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most
 * self time, and self time added up per package, so a profile of the bench reads in a
 * glance.
 *
 * @example node bench/dist/cpu/profileSummary.js /tmp/plaza-prof/CPU.*.cpuprofile [--top 25]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code comes from: a package, Plaza's own code, Node itself, or V8. */
export function ownerOf(url: string, functionName: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage?.[1]) return inPackage[1];
  const inPlaza = /\/(packages\/[^/]+|bench)\//.exec(url);
  if (inPlaza?.[1]) return inPlaza[1];
  if (url.startsWith('node:')) return 'node (lib)';
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  return url;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/work\/main\//, '');
}

async function summarise(file: string, top: number): Promise<void> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  // Native frames (no file) are charged to the nearest caller that has one: `writev` to
  // node's http, `init` to whoever called createPublicKey, and so on.
  const callerOwner = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame && frame.url !== '') return ownerOf(frame.url, frame.functionName);
    }
    return ownerOf('', byId.get(id)?.callFrame.functionName ?? '');
  };
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0);

  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byCaller = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const where = frame.url === '' ? '' : ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(`${name}${where}`, (byFunction.get(`${name}${where}`) ?? 0) + micros);
    const owner = ownerOf(frame.url, frame.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
    const caller = callerOwner(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + micros);
  }

  const print = (title: string, entries: Map<string, number>): void => {
    console.log(`\n${title}`);
    for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const share = ((micros / total) * 100).toFixed(1).padStart(5);
      console.log(`${share}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
    }
  };
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  print('self time by package', byOwner);
  print('self time by package, native code charged to its JavaScript caller', byCaller);
  print('self time by function', byFunction);
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
for (const file of positionals) await summarise(file, Number(values.top));
