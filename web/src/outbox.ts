/** The development outbox's order and what it marks (no DOM here, so the tests read it too). */

export interface OutboxMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly sent_at: string;
}

export interface ShownMail extends OutboxMail {
  /** A newer mail of the same kind went to the same address: its link has been retired. */
  readonly superseded: boolean;
}

/**
 * The outbox as the API returns it (newest first), each mail marked when a newer one of the same
 * kind (its subject: one per purpose) went to the same address, since sending a new link retires
 * the older unused ones.
 */
export function outboxView(newestFirst: readonly OutboxMail[]): ShownMail[] {
  const seen = new Set<string>();
  return newestFirst.map((mail) => {
    const kind = `${mail.to.toLowerCase()}\n${mail.subject}`;
    const superseded = seen.has(kind);
    seen.add(kind);
    return { ...mail, superseded };
  });
}
