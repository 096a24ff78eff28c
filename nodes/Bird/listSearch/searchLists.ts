import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult, INodePropertyOptions } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../shared/descriptions/node';
import { birdRequest } from '../../shared/transport/request';

async function listPage(context: ILoadOptionsFunctions, pageToken?: string): Promise<{ results: IDataObject[]; nextPageToken?: string }> {
	const qs: IDataObject = { limit: 100 };
	if (pageToken) qs.pageToken = pageToken;
	const response = await birdRequest(context, { method: 'GET', url: `${WORKSPACE_PATH}/lists`, qs });
	const body = (response.body ?? {}) as { results?: IDataObject[]; nextPageToken?: string };
	return { results: body.results ?? [], nextPageToken: body.nextPageToken || undefined };
}

const nameOf = (list: IDataObject) =>
	`${String(list.name || list.id)}${typeof list.contactCount === 'number' ? ` (${list.contactCount} contact${list.contactCount === 1 ? '' : 's'})` : ''}`;

/** The List picker: the workspace's contact lists, 100 a page, filtered by name. */
export async function searchLists(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const page = await listPage(this, paginationToken);
	const needle = (filter ?? '').trim().toLowerCase();
	const results = page.results.map((list) => ({ name: nameOf(list), value: String(list.id) })).filter((list) => !needle || list.name.toLowerCase().includes(needle));
	return { results, paginationToken: page.nextPageToken };
}

/**
 * Every contact list, for the multi-selects (Add to Lists…). At most 10 pages are read: the editor
 * waits for them. A page token seen before ends the reading, and a list is offered once.
 */
export async function getLists(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const options = new Map<string, INodePropertyOptions>();
	const seen = new Set<string>();
	let pageToken: string | undefined;
	for (let page = 0; page < 10; page++) {
		const { results, nextPageToken } = await listPage(this, pageToken);
		for (const list of results) if (!options.has(String(list.id))) options.set(String(list.id), { name: nameOf(list), value: String(list.id) });
		if (!nextPageToken || seen.has(nextPageToken)) break;
		seen.add(nextPageToken);
		pageToken = nextPageToken;
	}
	return [...options.values()];
}
