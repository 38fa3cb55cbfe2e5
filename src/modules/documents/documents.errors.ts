import { AppError } from '../../shared/errors.js';

/** Stable codes of the official-documents module. */
export type DocumentErrorCode =
  /** The record is not in a state this document can be issued for (e.g. a bulletin before publication). */
  | 'DOCUMENT_BAD_SUBJECT'
  /** The document has not been issued yet and the caller may not issue it. */
  | 'DOCUMENT_NOT_ISSUED'
  /** Unknown document kind in a URL. */
  | 'DOCUMENT_UNKNOWN_KIND';

/** A refused document request; `code` says why. */
export class DocumentError extends AppError {
  constructor(code: DocumentErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
