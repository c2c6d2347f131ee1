import type { ApiError } from '../../../shared/api/client';

interface Props {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  // The API's answer, whose error for `pointer` (a JSON pointer such as
  // "/name") is shown under the field and announced.
  error?: ApiError | null;
  pointer?: string;
  type?: string;
  autocomplete?: string;
  required?: boolean;
}

// A labelled text input with the API's error for it, if any.
export function Field({ label, name, value, onInput, error, pointer, ...input }: Props) {
  const message = pointer ? error?.fieldError(pointer) : undefined;
  const errorId = `${name}-error`;
  return (
    <>
      <label>
        {label}
        <input
          name={name}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? errorId : undefined}
          {...input}
        />
      </label>
      {message && (
        <span class="field-error" id={errorId} role="alert">
          {message}
        </span>
      )}
    </>
  );
}
