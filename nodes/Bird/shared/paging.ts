/**
 * Return All / Limit, as n8n's own nodes offer them, over Bird's paging: each request asks for at
 * most a page (`limit`, Bird's maximum per endpoint) and follows `nextPageToken` until it has
 * what was asked for or Bird has no more.
 */
import type { IDataObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../../shared/validation';
import type { BirdCall } from './operation';
import { showFor } from './show';

export interface Paging {
	returnAll: boolean;
	/** How many results at most; unused with Return All. */
	limit: number;
}

/** The Return All and Limit fields of one list operation. */
export function pagingFields(resource: string, operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: showFor(resource, [operation]),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			// Whole numbers; no min or max, so that a bad value is refused with the item rather than silently changed.
			typeOptions: { numberPrecision: 0 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: showFor(resource, [operation], { returnAll: [false] }),
		},
	];
}

export function readPaging(input: ItemInput): Paging {
	const returnAll = input.boolean('returnAll', 'Return All', 'false');
	if (returnAll) return { returnAll: true, limit: 0 };
	const limit = input.number(input.raw('limit'), { label: 'Limit', path: 'limit' }, { required: true, min: 1, integer: true, example: '50' }) as number;
	return { returnAll: false, limit };
}

/**
 * Reads a list page by page. `pageSize` is Bird's maximum for the endpoint (100 for contacts and
 * conversations, 1000 for a channel's messages); Limit asks for no more than it still needs. A
 * page token seen before, or an empty page with a token, ends the reading: a loop that never ends
 * would hold the workflow forever.
 */
export async function readPages(call: BirdCall, request: IHttpRequestOptions, paging: Paging, pageSize: number): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	const seen = new Set<string>();
	let pageToken: string | undefined;
	for (;;) {
		const limit = paging.returnAll ? pageSize : Math.min(pageSize, paging.limit - results.length);
		const body = await call.read({ ...request, qs: { ...request.qs, limit, ...(pageToken ? { pageToken } : {}) } });
		const page = Array.isArray(body.results) ? (body.results as IDataObject[]) : [];
		results.push(...page);
		pageToken = typeof body.nextPageToken === 'string' && body.nextPageToken ? body.nextPageToken : undefined;
		const enough = !paging.returnAll && results.length >= paging.limit;
		if (!pageToken || enough || !page.length || seen.has(pageToken)) break;
		seen.add(pageToken);
	}
	return paging.returnAll ? results : results.slice(0, paging.limit);
}
