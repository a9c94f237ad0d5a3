/** The wizard's mapping step: source column → dataset field, with /mappingSets/validate's errors inline. */
import { useState } from 'react';
import { api, requestMark, requestsSince, unwrap } from '../api.ts';
import type { RecordedRequest } from '../curl.ts';
import { ProblemView } from '../components/problem-view.tsx';
import { ShowRequest } from '../components/show-request.tsx';
import { fieldTypeOf, type DatasetField, type ExploreColumn } from '../model.ts';

const typeOf = (column: ExploreColumn | undefined): string => (column ? fieldTypeOf(column) : '');

export interface MappingRow {
  source: string;
  destination: string;
}

interface Problem {
  code: string;
  message: string;
  index?: number;
}

export function MappingStep({
  rows,
  columns,
  fields,
  dataSetId,
  onChange,
}: {
  rows: readonly MappingRow[];
  columns: readonly ExploreColumn[];
  fields: readonly DatasetField[];
  dataSetId: string | undefined;
  onChange: (rows: MappingRow[]) => void;
}) {
  const [problems, setProblems] = useState<Problem[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [requests, setRequests] = useState<RecordedRequest[]>([]);
  const active = rows.filter((row) => row.destination !== '');

  const validate = async (): Promise<void> => {
    const mark = requestMark();
    setError(undefined);
    try {
      const answer = unwrap(
        await api.POST('/data/foundation/conversion/mappingSets/validate', {
          body: {
            xdmSchema: dataSetId ?? 'https://ns.adobe.com/sluice/schemas/studio',
            xdmVersion: '1.0',
            ...(dataSetId === undefined ? {} : { dataSetId }),
            sourceSchema: { columns },
            mappings: active.map((row) => ({
              sourceType: 'ATTRIBUTE',
              source: row.source,
              destination: row.destination,
            })),
          } as never,
        }),
      ) as { problems?: Problem[] };
      setProblems(answer.problems ?? []);
    } catch (caught) {
      setError(caught);
    } finally {
      setRequests(requestsSince(mark));
    }
  };

  const problemFor = (row: MappingRow): Problem[] =>
    (problems ?? []).filter((problem) => problem.index !== undefined && active[problem.index] === row);

  return (
    <fieldset>
      <legend>Mapping</legend>
      <table>
        <caption>Source column → dataset field</caption>
        <thead>
          <tr>
            <th scope="col">Source column</th>
            <th scope="col">Source type</th>
            <th scope="col">Dataset field</th>
            <th scope="col">Problems</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={row.source}>
              <td>{row.source}</td>
              <td>{typeOf(columns.find((c) => c.name === row.source))}</td>
              <td>
                <select
                  aria-label={`Dataset field for ${row.source}`}
                  value={row.destination}
                  onChange={(e) => {
                    onChange(rows.map((r, i) => (i === index ? { ...r, destination: e.target.value } : r)));
                    setProblems(undefined);
                  }}
                >
                  <option value="">(not mapped)</option>
                  {fields.map((field) => (
                    <option key={field.name} value={field.name}>
                      {field.name} ({field.type})
                    </option>
                  ))}
                </select>
              </td>
              <td>
                {problemFor(row).map((problem) => (
                  <span key={problem.code} role="alert" className="field-error">
                    {problem.code}: {problem.message}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            void validate();
          }}
        >
          Validate mapping
        </button>
      </div>
      {problems === undefined ? null : problems.length === 0 ? (
        <p role="status">The mapping is valid.</p>
      ) : (
        <ul aria-label="Mapping problems">
          {problems
            .filter((problem) => problem.index === undefined)
            .map((problem) => (
              <li key={problem.code + problem.message}>
                {problem.code}: {problem.message}
              </li>
            ))}
        </ul>
      )}
      <ProblemView error={error} />
      <ShowRequest requests={requests} />
    </fieldset>
  );
}
