import type { CheckStatus, DoctorReport } from './doctor-report.js';

const MARK: Record<CheckStatus, string> = {
  pass: '[ ok ]',
  warn: '[warn]',
  fail: '[FAIL]',
  unknown: '[ ?? ]',
};

/** The report for people: one block per check, facts indented, advice marked. */
export function formatDoctorReport(report: DoctorReport): string {
  const out: string[] = [];
  for (const check of report.checks) {
    out.push(`${MARK[check.status]} ${check.title}: ${check.summary}`);
    for (const line of check.details) out.push(`         ${line}`);
    for (const line of check.advice) out.push(`       → ${line}`);
    out.push('');
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  out.push(
    failed === 0
      ? 'mailvet doctor: no problems that stop verification were found.'
      : `mailvet doctor: ${failed} check(s) failed; SMTP results from this host will be unreliable until fixed.`,
  );
  return `${out.join('\n')}\n`;
}
