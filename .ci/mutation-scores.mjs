#!/usr/bin/env node
// Mutation scores per folder from Stryker's JSON reports (mutation-testing-report-schema), as `make mutate` prints
// them: score = (killed + timeout) / (killed + timeout + survived + no coverage); compile errors and ignored mutants
// do not count. With --survivors, every surviving or uncovered mutant as file:line mutator → replacement.
// Usage: node .ci/mutation-scores.mjs REPORT.json... [--survivors]
import fs from 'node:fs';

const args = process.argv.slice(2);
const listSurvivors = args.includes('--survivors');
const reports = args.filter(a => a !== '--survivors');
if (reports.length === 0) {
  console.error('usage: mutation-scores.mjs REPORT.json... [--survivors]');
  process.exit(2);
}

for (const file of reports) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const folders = new Map();
  const survivors = [];
  const root = (report.projectRoot ?? '').replace(/\/?$/, '/');
  for (const [absolute, entry] of Object.entries(report.files)) {
    const path = absolute.startsWith(root) ? absolute.slice(root.length) : absolute;
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
    const tally = folders.get(folder) ?? { killed: 0, survived: 0, noCoverage: 0, total: 0 };
    for (const m of entry.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') tally.killed++;
      else if (m.status === 'Survived') tally.survived++;
      else if (m.status === 'NoCoverage') tally.noCoverage++;
      else continue;
      tally.total++;
      if (m.status === 'Survived' || m.status === 'NoCoverage')
        survivors.push(`${path}:${m.location.start.line} ${m.status} ${m.mutatorName} → ${m.replacement.replace(/\s+/g, ' ').slice(0, 100)}`);
    }
    folders.set(folder, tally);
  }
  console.log(`${report.projectRoot ?? file}`);
  const all = { killed: 0, survived: 0, noCoverage: 0, total: 0 };
  for (const [folder, t] of [...folders].sort()) {
    if (t.total === 0) continue;
    console.log(`  ${folder.padEnd(40)} ${(100 * t.killed / t.total).toFixed(1).padStart(5)}%  killed ${t.killed}, survived ${t.survived}, no coverage ${t.noCoverage}`);
    for (const k of Object.keys(all)) all[k] += t[k];
  }
  if (all.total > 0)
    console.log(`  ${'all'.padEnd(40)} ${(100 * all.killed / all.total).toFixed(1).padStart(5)}%  killed ${all.killed}, survived ${all.survived}, no coverage ${all.noCoverage}`);
  if (listSurvivors)
    for (const s of survivors) console.log(`    ${s}`);
}
