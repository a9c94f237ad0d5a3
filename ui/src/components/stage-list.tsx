/** The staged verification report of a connection (parse, reach, authenticate, …) with timings. */
import type { Stage } from '../model.ts';

const mark: Record<string, string> = { passed: '✓', failed: '✗', skipped: '–' };

export function StageList({ stages }: { stages: readonly Stage[] }) {
  return (
    <ol className="stages" aria-label="Verification stages">
      {stages.map((stage) => (
        <li key={stage.name} className={`stage stage-${stage.status}`}>
          <span aria-hidden="true">{mark[stage.status] ?? '·'}</span> <strong>{stage.name}</strong>:{' '}
          {stage.status}
          {stage.durationMs === undefined ? null : ` (${stage.durationMs} ms)`}
          {stage.message === undefined ? null : <div className="stage-message">{stage.message}</div>}
        </li>
      ))}
    </ol>
  );
}
