/** /admin/eligibility-rules: domains whose addresses may sign up (docs/lifecycle.md). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EligibilityRuleRow } from '../../queries/eligibility-rules.ts';
import { actorOf } from '../access.ts';
import { Cursor, EligibilityRuleSchema as RuleSchema, Limit, Paginated } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import { installAccess } from '../route-access.ts';
import { UuidParam } from '../schemas.ts';

const tags = ['admin: eligible emails'];

function ruleView(rule: EligibilityRuleRow): {
  id: string;
  domain: string;
  include_subdomains: boolean;
  expires_at: string | null;
  note: string | null;
  created_at: string;
} {
  return { ...rule, expires_at: rule.expires_at?.toISOString() ?? null, created_at: rule.created_at.toISOString() };
}

export const adminEligibilityRuleRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'admin');

  app.post(
    '/admin/eligibility-rules',
    {
      config: { errors: ['eligibility_rule_exists'] },
      schema: {
        tags,
        operationId: 'createEligibilityRule',
        summary: 'Admit every address of a domain (optionally its subdomains, optionally until a date)',
        body: Type.Object({
          domain: Type.String({ minLength: 1, maxLength: 253 }),
          include_subdomains: Type.Optional(Type.Boolean()),
          expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
          note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
        }),
        response: { 201: RuleSchema },
      },
    },
    async (request, reply) => {
      const { domain, include_subdomains: includeSubdomains, expires_at: expiresAt, note } = request.body;
      const rule = await ctx.directory.eligibilityRules.create(
        {
          domain,
          includeSubdomains: includeSubdomains ?? false,
          expiresAt: expiresAt === undefined || expiresAt === null ? null : new Date(expiresAt),
          note: note ?? null,
        },
        actorOf(request),
      );
      return reply.code(201).send(ruleView(rule));
    },
  );

  app.get(
    '/admin/eligibility-rules',
    {
      schema: {
        tags,
        operationId: 'listEligibilityRules',
        summary: 'Eligibility rules, oldest first',
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }),
        response: { 200: Paginated(RuleSchema) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor, ['uuid']);
      const rows = await ctx.directory.eligibilityRules.list(after?.[0] ?? null, limit + 1);
      const result = page(rows, limit, (row) => [row.id]);
      return { items: result.items.map(ruleView), next_cursor: result.next_cursor };
    },
  );

  app.delete(
    '/admin/eligibility-rules/:id',
    {
      config: { errors: ['eligibility_rule_not_found'] },
      schema: {
        tags,
        operationId: 'deleteEligibilityRule',
        summary: 'Delete an eligibility rule',
        params: Type.Object({ id: UuidParam }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.directory.eligibilityRules.remove(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};
