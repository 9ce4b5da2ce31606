#!/usr/bin/env node
// Reads the JUnit and TRX files a test run wrote (artifacts/test-results/, one pair per test project) with two
// consumers of those formats — junit2json for JUnit, test-results-parser for TRX — and checks what a CI server
// relies on:
//   - every test project under tests/ wrote both files, each holding at least one test;
//   - the JUnit suite totals (tests, failures, errors, skipped) match its test cases;
//   - JUnit and TRX agree per project on how many tests passed, failed and were skipped;
//   - every skipped test carries its reason in the JUnit report;
//   - nothing failed.
// Prints one line per project and, last, "junit: N passed, N failed, N skipped" over all projects.
// Usage: node .ci/test-reports/check.mjs RESULTS_DIR TESTS_DIR
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseJunit } from 'junit2json';
import trx from 'test-results-parser';

const [resultsDir, testsDir] = process.argv.slice(2);
if (!resultsDir || !testsDir) {
  console.error('usage: check.mjs RESULTS_DIR TESTS_DIR');
  process.exit(2);
}

const projects = fs.readdirSync(testsDir, { withFileTypes: true })
  .filter(d => d.isDirectory() && fs.existsSync(path.join(testsDir, d.name, `${d.name}.csproj`)))
  .map(d => d.name)
  .sort();

const problems = [];
const total = { passed: 0, failed: 0, skipped: 0 };

async function junitCounts(project, file) {
  const root = await parseJunit(fs.readFileSync(file, 'utf8'));
  const suites = root.testsuite ?? [root];
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const suite of suites) {
    const cases = suite.testcase ?? [];
    const failed = cases.filter(c => c.failure || c.error);
    const skipped = cases.filter(c => !c.failure && !c.error && c.skipped);
    const declared = [suite.tests ?? 0, (suite.failures ?? 0) + (suite.errors ?? 0), suite.skipped ?? 0];
    if (declared.join() !== [cases.length, failed.length, skipped.length].join())
      problems.push(`${project}: suite ${suite.name} declares tests/failed/skipped ${declared.join('/')} but holds ${cases.length}/${failed.length}/${skipped.length}`);
    for (const c of skipped)
      if (!c.skipped.some(s => (s.message ?? s.inner ?? '').trim()))
        problems.push(`${project}: ${c.name} is skipped without a reason`);
    for (const c of failed) {
      const detail = (c.failure ?? c.error)[0];
      problems.push(`${project}: ${c.name} failed: ${(detail.message ?? detail.inner ?? '').split('\n').slice(0, 4).join('\n    ')}`);
    }
    counts.failed += failed.length;
    counts.skipped += skipped.length;
    counts.passed += cases.length - failed.length - skipped.length;
  }
  return counts;
}

function trxCounts(file) {
  const cases = trx.parse({ type: 'mstest', files: [file] }).suites.flatMap(s => s.cases);
  return {
    passed: cases.filter(c => c.status === 'PASS').length,
    failed: cases.filter(c => c.status !== 'PASS' && c.status !== 'SKIP').length,
    skipped: cases.filter(c => c.status === 'SKIP').length,
  };
}

for (const project of projects) {
  const junitFile = path.join(resultsDir, `${project}.junit.xml`);
  const trxFile = path.join(resultsDir, `${project}.trx`);
  const missing = [junitFile, trxFile].filter(f => !fs.existsSync(f));
  if (missing.length > 0) {
    problems.push(`${project}: no ${missing.map(f => path.basename(f)).join(' and no ')} in ${resultsDir}`);
    continue;
  }
  const junit = await junitCounts(project, junitFile);
  const fromTrx = trxCounts(trxFile);
  const tests = junit.passed + junit.failed + junit.skipped;
  console.log(`${project}: ${tests} tests, ${junit.passed} passed, ${junit.failed} failed, ${junit.skipped} skipped`);
  if (tests === 0)
    problems.push(`${project}: the JUnit report holds no test`);
  for (const key of Object.keys(junit))
    if (junit[key] !== fromTrx[key])
      problems.push(`${project}: ${junit[key]} ${key} in the JUnit report but ${fromTrx[key]} in the TRX report`);
  for (const key of Object.keys(total))
    total[key] += junit[key];
}
if (projects.length === 0)
  problems.push(`no test project under ${testsDir}`);

for (const p of problems)
  console.error(`test reports: ${p}`);
console.log(`junit: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(problems.length === 0 ? 0 : 1);
