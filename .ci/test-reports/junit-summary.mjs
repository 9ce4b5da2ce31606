#!/usr/bin/env node
// Reads one junit.xml with junit2json (a JUnit consumer, as CI servers read the format) and prints what it found as
// JSON: per suite its name, declared totals and test cases (name, status, failure/skip message). Exits 1 when a
// suite's declared totals disagree with the cases it holds, or a skipped case has no reason.
// Usage: node .ci/test-reports/junit-summary.mjs FILE
import fs from 'node:fs';
import { parse as parseJunit } from 'junit2json';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: junit-summary.mjs FILE');
  process.exit(2);
}
const root = await parseJunit(fs.readFileSync(file, 'utf8'));
const problems = [];
const suites = (root.testsuite ?? [root]).map(suite => {
  const cases = (suite.testcase ?? []).map(c => ({
    name: c.name,
    classname: c.classname,
    status: c.failure || c.error ? 'failed' : c.skipped ? 'skipped' : 'passed',
    message: ((c.failure ?? c.error ?? c.skipped ?? [{}])[0].message ?? ''),
    text: ((c.failure ?? c.error ?? [{}])[0].inner ?? ''),
  }));
  const declared = { tests: suite.tests ?? 0, failures: (suite.failures ?? 0) + (suite.errors ?? 0), skipped: suite.skipped ?? 0 };
  const held = { tests: cases.length, failures: cases.filter(c => c.status === 'failed').length, skipped: cases.filter(c => c.status === 'skipped').length };
  if (JSON.stringify(declared) !== JSON.stringify(held))
    problems.push(`suite ${suite.name} declares ${JSON.stringify(declared)} but holds ${JSON.stringify(held)}`);
  for (const c of cases.filter(c => c.status === 'skipped' && !c.message.trim()))
    problems.push(`${c.name} is skipped without a reason`);
  return { name: suite.name, ...declared, cases };
});
console.log(JSON.stringify({ name: root.name ?? null, suites, problems }, null, 1));
process.exit(problems.length === 0 ? 0 : 1);
