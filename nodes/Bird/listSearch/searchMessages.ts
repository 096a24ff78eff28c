import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../shared/descriptions/node';
import { birdRequest } from '../../shared/transport/request';
import { PATTERNS } from '../../shared/validation';
import { simplifyMessage } from '../shared/simplify';

/** A message as the picker shows it: when, which way, with whom, and its text or type. */
function entry(message: IDataObject) {
	const simple = simplifyMessage(message);
	const who = (simple.contact as IDataObject | undefined)?.identifierValue;
	const what = typeof simple.text === 'string' ? `"${simple.text.slice(0, 40)}"` : simple.type;
	const name = [simple.createdAt, simple.direction === 'incoming' ? 'from' : 'to', who, what, simple.status].filter(Boolean).join(' · ');
	return { name, value: String(message.id) };
}

/** The Channel picked above; undefined while none (or an expression) is picked. */
function chosenChannel(context: ILoadOptionsFunctions): string | undefined {
	let value: unknown;
	try {
		// Not n8n's extractValue: it refuses a parameter its display conditions hide.
		value = context.getNodeParameter('channelId', '');
	} catch {
		return undefined;
	}
	const id = String(value && typeof value === 'object' ? ((value as { value?: unknown }).value ?? '') : (value ?? '')).trim();
	return PATTERNS.uuid.test(id) ? id : undefined;
}

/** The Message picker: the newest messages of the Channel chosen above, 100 a page. */
export async function searchMessages(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const channelId = chosenChannel(this);
	// Without a channel there is nothing to list (Bird lists messages per channel).
	if (!channelId) return { results: [] };
	const qs: IDataObject = { limit: 100 };
	if (paginationToken) qs.pageToken = paginationToken;
	const response = await birdRequest(this, { method: 'GET', url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/messages`, qs });
	const body = (response.body ?? {}) as { results?: IDataObject[]; nextPageToken?: string };
	const needle = (filter ?? '').trim().toLowerCase();
	const results = (body.results ?? []).map(entry).filter((message) => !needle || message.name.toLowerCase().includes(needle) || message.value === needle);
	return { results, paginationToken: body.nextPageToken || undefined };
}
