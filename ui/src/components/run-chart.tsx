/** Two small bar charts per run, oldest to newest: records landed, and duration. Plain SVG, with a text summary. */
import type { Run } from '../model.ts';
import { durationOf } from '../runs.ts';
import { duration } from './format.ts';

function Bars({
  title,
  values,
  format,
}: {
  title: string;
  values: readonly number[];
  format: (n: number) => string;
}) {
  const max = Math.max(1, ...values);
  const width = Math.max(values.length * 12, 120);
  const summary =
    values.length === 0
      ? 'no runs'
      : `${values.length} runs, max ${format(max)}, last ${format(values.at(-1) ?? 0)}`;
  return (
    <figure className="chart">
      <svg
        role="img"
        aria-label={`${title}: ${summary}`}
        viewBox={`0 0 ${width} 60`}
        width={width}
        height={60}
      >
        {values.map((value, index) => {
          const height = (value / max) * 56;
          return (
            <rect
              key={index}
              x={index * 12 + 1}
              y={58 - height}
              width={9}
              height={Math.max(height, 1)}
              className="bar"
            />
          );
        })}
      </svg>
      <figcaption>
        {title}: {summary}
      </figcaption>
    </figure>
  );
}

export function RunCharts({ runs }: { runs: readonly Run[] }) {
  const ordered = [...runs].reverse();
  return (
    <div className="charts">
      <Bars
        title="Records landed per run"
        values={ordered.map((r) => r.metrics.recordSummary.outputRecordCount)}
        format={(n) => String(n)}
      />
      <Bars title="Duration per run" values={ordered.map((r) => durationOf(r) ?? 0)} format={duration} />
    </div>
  );
}
