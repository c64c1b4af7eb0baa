// Errors a handler throws for lib/api/route.ts to answer with their 4xx (the message is
// written for the caller). No imports: any module may throw them.

/** A query parameter is missing or invalid (the message names it). */
export class BadQueryError extends Error {}
/** Something the path names does not exist (or is not the caller's to see). */
export class NotFoundError extends Error {}
/** The caller's role is too low for this answer. */
export class ForbiddenError extends Error {}
