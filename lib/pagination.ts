import { z } from 'zod';

/** The highest page number accepted: offsets stay plain integers in SQL. */
export const MAX_PAGE = 1_000_000;

/** `page` and `sort` from a URL, validated against the columns a view may sort by. */
export function parsePageParams<C extends string>(
  params: Record<string, string | string[] | undefined>,
  sortable: readonly [C, ...C[]],
  defaultSort: NoInfer<`${'' | '-'}${C}`>,
  pageSize = 50,
): { page: number; pageSize: number; sort: `${'' | '-'}${C}`; column: C; desc: boolean } {
  const page = z.coerce.number().int().min(1).max(MAX_PAGE).catch(1).parse(params.page);
  const sortRaw = typeof params.sort === 'string' ? params.sort : defaultSort;
  const column = sortRaw.replace(/^-/, '') as C;
  const valid = (sortable as readonly string[]).includes(column);
  const sort = (valid ? sortRaw : defaultSort) as `${'' | '-'}${C}`;
  return { page, pageSize, sort, column: sort.replace(/^-/, '') as C, desc: sort.startsWith('-') };
}
