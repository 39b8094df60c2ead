/** A tagged item, only produced when decoding leniently (`canonical: 'report'`); CTAP forbids tags. */
export class CborTagged {
  constructor(
    readonly tag: number | bigint,
    readonly value: unknown,
  ) {}
}
