/** Renders section reports as aligned console text and as markdown for RESULTS.md. */
import type { GoalCheck, ReportTable, SectionReport } from './report-model.js';

function textTable(table: ReportTable): string {
  const cells = [table.header, ...table.rows].map((row) => row.map((c) => c.replace(/`/g, '')));
  const widths = table.header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`  ${table.title}`, ...cells.map((row, i) => `  ${line(row)}${i === 0 ? `\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''}`)].join('\n');
}

function goalMark(goal: GoalCheck): string {
  return goal.status === 'met' ? 'MET' : goal.status === 'missed' ? 'MISSED' : 'not judged';
}

/** The console rendering of every section, then the goals. */
export function renderText(sections: readonly SectionReport[]): string {
  const out: string[] = [];
  for (const s of sections) {
    out.push(`\n${s.section}. ${s.title}`);
    for (const t of s.tables) out.push(textTable(t));
    for (const g of s.goals) out.push(`  goal ${g.goal} — ${g.subject}: ${g.measured} → ${goalMark(g)}${g.note === '' ? '' : ` (${g.note})`}`);
  }
  return out.join('\n');
}

function markdownTable(table: ReportTable): string {
  const escape = (c: string) => c.replace(/\n/g, ' ');
  return [
    `**${table.title}**`,
    '',
    `| ${table.header.map(escape).join(' | ')} |`,
    `| ${table.header.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

/** The goals of all sections as one markdown table. */
export function markdownGoals(sections: readonly SectionReport[]): string {
  const goals = sections.flatMap((s) => s.goals);
  return [
    '| § | what | goal | measured | status |',
    '| --- | --- | --- | --- | --- |',
    ...goals.map((g) => `| ${g.section} | ${g.subject} | ${g.goal} | ${g.measured} | ${g.status === 'met' ? '✅ met' : g.status === 'missed' ? `❌ missed${g.note === '' ? '' : ` (${g.note})`}` : `— ${g.note === '' ? 'not judged' : g.note}`} |`),
  ].join('\n');
}

/** Every section as markdown (### headings). */
export function markdownSections(sections: readonly SectionReport[]): string {
  return sections
    .map((s) => [`### ${s.section}. ${s.title}`, '', ...s.tables.flatMap((t) => [markdownTable(t), '']), ...s.notes.map((n) => `- ${n}`)].join('\n'))
    .join('\n\n');
}
