import type { CborFinding } from '../protocol/index.ts';

/** One CTAP exchange as the report shows it (docs/report-model.md "Evidence"). */
export interface CtapTraceEntry {
  /** e.g. "authenticatorMakeCredential" */
  command: string;
  commandByte: number;
  /** command byte + CBOR, hex */
  requestHex: string;
  requestDiagnostic?: string;
  /** status byte + CBOR, hex (absent when no answer came) */
  responseHex?: string;
  responseDiagnostic?: string;
  /** "0x00 CTAP2_OK" */
  status?: string;
  /** canonical-CBOR departures found in the response */
  findings: CborFinding[];
  /** the error that ended the exchange, as "CODE: message" */
  error?: string;
  startedAt: string;
  durationMs: number;
}

/**
 * A bounded log of CTAP exchanges for one run or one check (passed in, never global). When full, the
 * oldest entries go; `dropped` counts them.
 */
export class CtapTrace {
  readonly entries: CtapTraceEntry[] = [];
  dropped = 0;
  constructor(readonly limit = 1000) {}

  record(entry: CtapTraceEntry): void {
    if (this.entries.length >= this.limit) {
      this.entries.shift();
      this.dropped++;
    }
    this.entries.push(entry);
  }

  /** entries recorded since `mark` (a value of `size` taken earlier): a check's own evidence */
  since(mark: number): CtapTraceEntry[] {
    return this.entries.slice(Math.max(0, mark - this.dropped));
  }

  get size(): number {
    return this.entries.length + this.dropped;
  }
}
