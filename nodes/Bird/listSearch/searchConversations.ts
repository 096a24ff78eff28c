import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../shared/descriptions/node';
import { birdRequest } from '../../shared/transport/request';

/** A conversation as the picker shows it: its name, its contacts and its status. */
function entry(conversation: IDataObject) {
	const contacts = ((conversation.featuredParticipants ?? []) as IDataObject[])
		.filter((participant) => participant.type === 'contact')
		.map((participant) => participant.displayName || (participant.contact as IDataObject | undefined)?.identifierValue)
		.filter(Boolean);
	const name = [conversation.name || 'Unnamed conversation', contacts.join(', '), conversation.status].filter(Boolean).join(' · ');
	return { name, value: String(conversation.id) };
}

/** The Conversation picker: the workspace's conversations, 100 a page, filtered by name, contact or status. */
export async function searchConversations(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const qs: IDataObject = { limit: 100 };
	if (paginationToken) qs.pageToken = paginationToken;
	const response = await birdRequest(this, { method: 'GET', url: `${WORKSPACE_PATH}/conversations`, qs });
	const body = (response.body ?? {}) as { results?: IDataObject[]; nextPageToken?: string };
	const needle = (filter ?? '').trim().toLowerCase();
	const results = (body.results ?? []).map(entry).filter((conversation) => !needle || conversation.name.toLowerCase().includes(needle));
	return { results, paginationToken: body.nextPageToken || undefined };
}
