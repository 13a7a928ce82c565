/** Schemas shared by several routes. */
import { Type } from '@sinclair/typebox';

export const ValidationIssueSchema = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Number()])),
  msg: Type.String(),
  type: Type.String(),
});

/** Every error: `{"detail", "code"}`; detail is a list for 422 validation errors. */
export const ErrorBody = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(ValidationIssueSchema)]),
    code: Type.String(),
  },
  { additionalProperties: true },
);
