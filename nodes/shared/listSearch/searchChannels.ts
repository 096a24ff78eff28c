import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../descriptions/node';
import { birdRequest } from '../transport/request';

interface BirdChannel {
	id: string;
	name?: string;
	platformId?: string;
	identifier?: string;
	status?: string;
}

/** The workspace's channels for the Channel picker, a page at a time, filtered by what the user typed. */
export async function searchChannels(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const qs: IDataObject = { limit: 100 };
	if (paginationToken) qs.pageToken = paginationToken;
	const response = await birdRequest(this, {
		method: 'GET',
		url: `${WORKSPACE_PATH}/channels`,
		qs,
	});
	const body = (response.body ?? {}) as { results?: BirdChannel[]; nextPageToken?: string };
	const needle = (filter ?? '').trim().toLowerCase();
	const results = (body.results ?? [])
		.map((channel) => ({
			name: [channel.name ?? channel.id, channel.platformId, channel.identifier]
				.filter(Boolean)
				.join(' · '),
			value: channel.id,
		}))
		.filter((entry) => !needle || entry.name.toLowerCase().includes(needle));
	return { results, paginationToken: body.nextPageToken || undefined };
}
