import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../shared/descriptions/node';
import { birdRequest } from '../../shared/transport/request';
import { identifierIn } from '../shared/contactRef';

function entry(contact: IDataObject) {
	const identifiers = ((contact.featuredIdentifiers ?? []) as IDataObject[]).map((identifier) => identifier.value).filter(Boolean);
	return { name: [contact.computedDisplayName || contact.id, identifiers.join(', ')].filter(Boolean).join(' · '), value: String(contact.id) };
}

/**
 * The Contact picker. Text that reads as an identifier (a phone number as people write it, an
 * email address, key:value) is looked up with Bird's contact search; other text filters the
 * workspace's contacts, a page of 100 at a time, by name and identifiers.
 */
export async function searchContacts(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const identifier = identifierIn(filter ?? '');
	if (identifier) {
		const response = await birdRequest(this, { method: 'POST', url: `${WORKSPACE_PATH}/contacts/search`, body: { identifier } }, { kind: 'read' });
		const body = (response.body ?? {}) as { results?: IDataObject[] };
		return { results: (body.results ?? []).map(entry) };
	}
	const qs: IDataObject = { limit: 100 };
	if (paginationToken) qs.pageToken = paginationToken;
	const response = await birdRequest(this, { method: 'GET', url: `${WORKSPACE_PATH}/contacts`, qs });
	const body = (response.body ?? {}) as { results?: IDataObject[]; nextPageToken?: string };
	const needle = (filter ?? '').trim().toLowerCase();
	const results = (body.results ?? []).map(entry).filter((contact) => !needle || contact.name.toLowerCase().includes(needle));
	return { results, paginationToken: body.nextPageToken || undefined };
}
