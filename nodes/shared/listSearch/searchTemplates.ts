import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../descriptions/node';
import { birdRequest } from '../transport/request';

interface BirdProject {
	id: string;
	name?: string;
	locales?: string[];
}

/** The workspace's Studio projects (message templates) for the Template picker. */
export async function searchTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const qs: IDataObject = { limit: 100 };
	if (filter?.trim()) qs.q = filter.trim();
	if (paginationToken) qs.pageToken = paginationToken;
	const response = await birdRequest(this, {
		method: 'GET',
		url: `${WORKSPACE_PATH}/projects`,
		qs,
	});
	const body = (response.body ?? {}) as { results?: BirdProject[]; nextPageToken?: string };
	const results = (body.results ?? []).map((project) => ({
		name: project.locales?.length
			? `${project.name ?? project.id} (${project.locales.join(', ')})`
			: (project.name ?? project.id),
		value: project.id,
	}));
	return { results, paginationToken: body.nextPageToken || undefined };
}
