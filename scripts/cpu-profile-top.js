#!/usr/bin/env node
/**
 * Top costs of a V8 .cpuprofile (node --cpu-prof): self time by function and by package.
 * usage: node scripts/cpu-profile-top.js FILE.cpuprofile [N] [--window LENGTH_S [SKIP_TAIL_S]]
 * --window keeps only the LENGTH_S seconds of samples that end SKIP_TAIL_S (default 1.3) before
 * the profile does: a bench phase, without the setup before it and the shutdown after it (the
 * service writes the profile when it stops, about a second after the last phase).
 */
const fs = require('node:fs');
const args = process.argv.slice(2);
const w = args.indexOf('--window');
const windowArgs = w >= 0 ? args.splice(w, 3).slice(1).filter((a) => /^[\d.]+$/.test(a)).map(Number) : null;
const [file, nArg] = args;
if (!file) {
  console.error('usage: node scripts/cpu-profile-top.js FILE.cpuprofile [N] [--window LENGTH_S [SKIP_TAIL_S]]');
  process.exit(2);
}
const n = Number(nArg ?? 25);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((node) => [node.id, node]));
const self = new Map();
const dt = prof.timeDeltas;
// sample i is taken at startTime + Σ timeDeltas[0..i]; it stands for the time until the next one
let at = prof.startTime;
const hi = windowArgs ? prof.endTime - (windowArgs[1] ?? 1.3) * 1e6 : Infinity;
const lo = windowArgs ? hi - windowArgs[0] * 1e6 : -Infinity;
for (let i = 0; i < prof.samples.length; i++) {
  at += dt[i] ?? 0;
  if (at < lo || at > hi) continue;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (dt[i + 1] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const pkgOf = (url) => {
  if (!url) return '(native/vm)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  if (url.includes('/dist/')) return 'service';
  return url;
};
const fns = new Map();
const pkgs = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  const cf = node.callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${cf.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const p = pkgOf(cf.url);
  pkgs.set(p, (pkgs.get(p) ?? 0) + us);
}
const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
console.log(`total sampled ${(total / 1e6).toFixed(2)} s`);
console.log('\nby package (self time)');
for (const [k, v] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(v)}  ${k}`);
console.log('\nby function (self time)');
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(v)}  ${k}`);
