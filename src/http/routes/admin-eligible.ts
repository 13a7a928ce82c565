/**
 * /admin/eligible-emails…: one address, bulk JSON, streamed CSV import, listing and deletion.
 * Bulk writes are all-or-nothing: any invalid address refuses the whole request (422 listing
 * every one), otherwise one transaction with set-based inserts. Re-running adds nothing.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.ts';
import { emailEntriesFromCsvLines } from '../../services/csv-emails.ts';
import { checkEmails, checkEmailStream, invalidEmailsError, type CheckedEmails, type EmailEntry } from '../../services/eligibility.ts';
import { actorOf } from '../access.ts';
import { installAccess } from '../route-access.ts';
import { BatchId, BulkResultSchema, Cursor, EligibleSchema, Limit, Paginated } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import type { EligibleRow } from '../../queries/eligibility.ts';

const tags = ['admin: eligible emails'];
/** Room for well over 100,000 addresses per request (about 30 bytes each). */
const BULK_BODY_LIMIT = 64 * 1024 * 1024;
const MAX_BULK_ITEMS = 1_000_000;
/** Bulk imports may outlive REQUEST_TIMEOUT_MS: a million addresses take tens of seconds. */
export const BULK_TIMEOUT_MS = 10 * 60 * 1000;

function bulkResult(outcome: { added: number; already_present: number }): { message: string; added: number; already_present: number } {
  return { message: `Successfully added ${outcome.added} eligible emails`, ...outcome };
}

/** Lines of a request body stream, refusing (413) past the limit. */
async function* limitedLines(stream: Readable, limit: number): AsyncGenerator<string> {
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limit) stream.destroy(new AppError('payload_too_large'));
  });
  yield* createInterface({ input: stream, crlfDelay: Infinity });
}

/** The CSV routes read their body themselves, as a stream of lines. */
export const CSV_BODY = {
  contentType: 'text/csv',
  description: 'A CSV file with an `email` column (other columns are ignored), or one address a line; at most 64 MiB',
} as const;

const PreviewSchema = Type.Object({
  added: Type.Integer(),
  already_present: Type.Integer(),
  invalid_count: Type.Integer(),
  invalid: Type.Array(Type.Object({ line: Type.Integer(), value: Type.String() })),
});

/** The entries (address and line) of a text/csv body, read as a stream of lines (invitation imports). */
export async function csvEntries(contentType: string | undefined, body: Readable): Promise<EmailEntry[]> {
  if (!String(contentType ?? '').startsWith('text/csv')) throw new AppError('unsupported_media_type', { message: 'send_csv' });
  const entries: EmailEntry[] = [];
  for await (const entry of emailEntriesFromCsvLines(limitedLines(body, BULK_BODY_LIMIT))) entries.push(entry);
  return entries;
}

/** The checked addresses of a text/csv body, read as a stream of lines. */
async function checkedCsv(contentType: string | undefined, body: Readable): Promise<CheckedEmails> {
  if (!String(contentType ?? '').startsWith('text/csv')) throw new AppError('unsupported_media_type', { message: 'send_csv' });
  return checkEmailStream(emailEntriesFromCsvLines(limitedLines(body, BULK_BODY_LIMIT)));
}

function eligibleView(row: EligibleRow): Static<typeof EligibleSchema> {
  return { ...row, expires_at: row.expires_at?.toISOString() ?? null, created_at: row.created_at.toISOString() };
}

export const adminEligibleRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'admin');
  // The CSV body is handed over as a stream and read line by line, never as one string.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.post(
    '/admin/eligible-emails',
    {
      config: { errors: ['already_eligible'] },
      schema: {
        tags,
        operationId: 'addEligibleEmail',
        summary: 'Add one address to the eligible list',
        body: Type.Object({
          email: Type.String({ maxLength: 320 }),
          batch_id: Type.Optional(Type.Union([BatchId, Type.Null()])),
          expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
        }),
        response: { 201: EligibleSchema },
      },
    },
    async (request, reply) => {
      const { email, batch_id: batchId, expires_at: expiresAt, note } = request.body;
      const terms = { expiresAt: expiresAt === undefined || expiresAt === null ? null : new Date(expiresAt), note: note ?? null };
      const row = await ctx.directory.eligible.add(email, batchId ?? null, actorOf(request), terms);
      return reply.code(201).send(eligibleView(row));
    },
  );

  app.post(
    '/admin/eligible-emails/bulk',
    {
      bodyLimit: BULK_BODY_LIMIT,
      config: { deadlineMs: BULK_TIMEOUT_MS, errors: ['invalid_emails'] },
      schema: {
        tags,
        operationId: 'importEligibleEmails',
        summary: 'Add many addresses at once, all or nothing (a JSON list)',
        body: Type.Object({
          emails: Type.Array(Type.String({ maxLength: 320 }), { maxItems: MAX_BULK_ITEMS }),
          batch_id: Type.Optional(Type.Union([BatchId, Type.Null()])),
        }),
        response: { 201: BulkResultSchema },
      },
    },
    async (request, reply) => {
      const checked = checkEmails(request.body.emails.map((raw, index): EmailEntry => ({ raw, position: index })));
      if (checked.invalid.length > 0) throw invalidEmailsError(checked.invalid, 'index', 'emails');
      const outcome = await ctx.directory.eligible.importMany(checked.emails, request.body.batch_id ?? null, actorOf(request));
      return reply.code(201).send(bulkResult(outcome));
    },
  );

  app.post(
    '/admin/eligible-emails/import',
    {
      config: { deadlineMs: BULK_TIMEOUT_MS, errors: ['invalid_emails'], rawBody: CSV_BODY },
      schema: {
        tags,
        operationId: 'importEligibleCsv',
        summary: 'Add the addresses of a CSV file, all or nothing',
        querystring: Type.Object({ batch_id: Type.Optional(BatchId) }),
        response: { 201: BulkResultSchema },
      },
    },
    async (request, reply) => {
      const checked = await checkedCsv(request.headers['content-type'], request.body as Readable);
      if (checked.invalid.length > 0) throw invalidEmailsError(checked.invalid, 'line', 'line');
      const outcome = await ctx.directory.eligible.importMany(checked.emails, request.query.batch_id ?? null, actorOf(request));
      return reply.code(201).send(bulkResult(outcome));
    },
  );

  app.post(
    '/admin/eligible-emails/import/preview',
    {
      config: { deadlineMs: BULK_TIMEOUT_MS, rawBody: CSV_BODY },
      schema: {
        tags,
        operationId: 'previewEligibleCsv',
        summary: 'What the same CSV import would do, without writing anything',
        response: { 200: PreviewSchema },
      },
    },
    async (request) => {
      const checked = await checkedCsv(request.headers['content-type'], request.body as Readable);
      const preview = await ctx.directory.eligible.preview(checked);
      return { ...preview, invalid: preview.invalid.map((item) => ({ line: item.position, value: item.value })) };
    },
  );

  app.get(
    '/admin/eligible-emails',
    {
      schema: {
        tags,
        operationId: 'listEligibleEmails',
        summary: 'The eligible list, by email (filter by batch or substring)',
        querystring: Type.Object({
          batch_id: Type.Optional(BatchId),
          q: Type.Optional(Type.String({ maxLength: 320 })),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Paginated(EligibleSchema) },
      },
    },
    async (request) => {
      const { batch_id: batchId, q, limit, cursor } = request.query;
      const after = decodeCursor(cursor, ['text']);
      const rows = await ctx.directory.eligible.list({ batchId, q, limit: limit + 1, ...(after?.[0] !== undefined ? { afterEmail: after[0] } : {}) });
      const result = page(rows, limit, (row) => [row.email]);
      return { items: result.items.map(eligibleView), next_cursor: result.next_cursor };
    },
  );

  app.delete(
    '/admin/eligible-emails/:email',
    {
      config: { errors: ['not_found'] },
      schema: {
        tags,
        operationId: 'removeEligibleEmail',
        summary: 'Remove one address from the eligible list',
        params: Type.Object({ email: Type.String({ maxLength: 320 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.directory.eligible.remove(request.params.email, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/admin/eligible-emails',
    {
      schema: {
        tags,
        operationId: 'removeEligibleBatch',
        summary: 'Remove every address of one import batch',
        querystring: Type.Object({ batch_id: BatchId }),
        response: { 200: Type.Object({ deleted: Type.Integer() }) },
      },
    },
    async (request) => {
      return { deleted: await ctx.directory.eligible.removeBatch(request.query.batch_id, actorOf(request)) };
    },
  );
};
