import { describeSize, type PlannerCaseResult, type PlannerMeasurement } from './plannerCase.js';
import { formatColumns } from '../support/textTable.js';

const n = (value: number): string => value.toLocaleString('en-US');
const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(0));

/** A plain-text table of the planner case, one row per size. */
export function formatPlannerTable(result: PlannerCaseResult): string {
  const others = result.cpu.otherProcessesPercent;
  return formatColumns(
    [
      'planner input',
      'posts',
      'likes planned',
      'stopped because',
      'plan ms',
      'floor ms',
      'vs floor',
      'check ms',
      'other procs CPU',
    ],
    result.measurements.map((m) => [
      describeSize(m.size),
      n(m.posts),
      n(m.likes),
      m.stoppedBecause,
      ms(m.planMs),
      ms(m.floorMs),
      m.ratioToFloor.toFixed(1),
      ms(m.checkMs),
      others === null ? '-' : `${others.toFixed(0)}%`,
    ]),
  );
}

function describeMeasurement(m: PlannerMeasurement): string {
  return (
    `${describeSize(m.size)}: ${n(m.likes)} likes in ${ms(m.planMs)} ms ` +
    `(${m.ratioToFloor.toFixed(1)} x the floor's ${ms(m.floorMs)} ms), checked in ${ms(m.checkMs)} ms`
  );
}

/** The line printed when the planner case finishes. */
export function describePlannerOutcome(result: PlannerCaseResult): string {
  const others = result.cpu.otherProcessesPercent;
  return (
    `${result.info.name}: ${result.measurements.map(describeMeasurement).join('; ')}` +
    (others === null ? '' : `; other processes ${others.toFixed(0)}%`) +
    result.notes.map((note) => `; ${note}`).join('')
  );
}

/** The planner case in results.json. */
export function plannerCaseDocument(result: PlannerCaseResult): unknown {
  return {
    name: result.info.name,
    kind: 'planner',
    description: result.info.description,
    measurements: result.measurements.map((m) => ({ input: describeSize(m.size), ...m })),
    cpu: result.cpu,
    notes: result.notes,
  };
}
