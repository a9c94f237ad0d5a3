/** An API error as a person reads it: title, code, message and, for a connection test, its stages. */
import { ApiError, errorMessage } from '../api.ts';
import type { Stage } from '../model.ts';
import { ShowRequest } from './show-request.tsx';
import { StageList } from './stage-list.tsx';

export function ProblemView({ error, heading }: { error: unknown; heading?: string }) {
  if (error === undefined || error === null) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div role="alert" className="problem">
        {heading === undefined ? null : <strong>{heading}: </strong>}
        {errorMessage(error)}
      </div>
    );
  }
  const stages = error.problem.report['stages'] as Stage[] | undefined;
  return (
    <div role="alert" className="problem">
      <p>
        {heading === undefined ? null : <strong>{heading}: </strong>}
        <strong>{error.problem.title}</strong> <code>{error.code}</code>
      </p>
      <p>{error.message}</p>
      {stages === undefined ? null : <StageList stages={stages} />}
      <ShowRequest requests={error.request === undefined ? [] : [error.request]} />
    </div>
  );
}
