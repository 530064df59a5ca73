import { Presets, SingleBar } from 'cli-progress';

/** How one phase shows its progress. */
export interface PhaseProgress {
  advance(by?: number): void;
  finish(): void;
}

export type ProgressFactory = (phase: string, total: number) => PhaseProgress;

/**
 * A bar per phase on a terminal; otherwise a plain line at every tenth, so logs stay readable.
 * Everything goes to `stream` (stderr), leaving stdout to the report.
 *
 * @example const bar = progressOn(process.stderr)('sign-up', 100); bar.advance(); bar.finish()
 */
export function progressOn(stream: NodeJS.WriteStream): ProgressFactory {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

/** Shows nothing (for --json runs and tests). */
export const noProgress: ProgressFactory = () => ({ advance: () => {}, finish: () => {} });

function barProgress(stream: NodeJS.WriteStream): ProgressFactory {
  return (phase, total) => {
    const bar = new SingleBar(
      {
        stream,
        format: `${phase.padEnd(8)} {bar} {percentage}% | {value}/{total} | {duration_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      advance: (by = 1) => bar.increment(by),
      finish: () => bar.stop(),
    };
  };
}

function lineProgress(stream: NodeJS.WriteStream): ProgressFactory {
  return (phase, total) => {
    let done = 0;
    let shownTenth = 0;
    const show = (): void => {
      stream.write(`${phase}: ${done}/${total}\n`);
    };
    return {
      advance(by = 1) {
        done += by;
        const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
        if (tenth > shownTenth && tenth < 10) {
          shownTenth = tenth;
          show();
        }
      },
      finish: show,
    };
  };
}
