/**
 * A button that changes something. With a read-only token it is disabled and says why (the reason is
 * its accessible description and tooltip), since the API would refuse the call with FLOW-2118-403.
 */
import type { ButtonHTMLAttributes } from 'react';
import { useSession } from '../session.ts';

export const READ_ONLY_REASON = 'Read-only token: this action would change something, so it is disabled.';

export function WriteButton(props: ButtonHTMLAttributes<HTMLButtonElement>) {
  const readOnly = useSession()?.identity?.readOnly === true;
  const { disabled, title, type, ...rest } = props;
  return (
    <button
      type={type === 'submit' ? 'submit' : 'button'}
      {...rest}
      disabled={readOnly || disabled === true}
      title={readOnly ? READ_ONLY_REASON : title}
      aria-describedby={readOnly ? 'read-only-notice' : undefined}
    />
  );
}

export const useReadOnly = (): boolean => useSession()?.identity?.readOnly === true;
