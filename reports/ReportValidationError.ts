/** A report.json that cannot be used: not JSON, or not matching report.schema.json (the first violation). */
export class ReportValidationError extends Error {
  override readonly name = 'ReportValidationError';
  constructor(
    /** REPORT_NOT_JSON | REPORT_SCHEMA_VIOLATION | REPORT_INCONSISTENT */
    readonly code: 'REPORT_NOT_JSON' | 'REPORT_SCHEMA_VIOLATION' | 'REPORT_INCONSISTENT',
    /** JSON Pointer (RFC 6901) of the offending value; "" is the document */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path || '/'}: ${reason}`);
  }
}
