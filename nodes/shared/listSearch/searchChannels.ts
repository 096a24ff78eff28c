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

/** Bird's platform IDs (`sms-messagebird`, `email-sparkpost`…) as people call them. */
const PLATFORM_NAMES: Array<[RegExp, string]> = [
	[/^whatsapp/, 'WhatsApp'],
	[/^sms/, 'SMS'],
	[/^email/, 'Email'],
	[/^telegram/, 'Telegram'],
	[/^line/, 'LINE'],
	[/^instagram/, 'Instagram'],
	[/^facebook|^messenger/, 'Facebook Messenger'],
	[/^rcs/, 'RCS'],
	[/^viber/, 'Viber'],
	[/^wechat/, 'WeChat'],
	[/^linkedin/, 'LinkedIn'],
	[/^google/, 'Google Business Messages'],
	[/^apple/, 'Apple Messages for Business'],
	[/^voice/, 'Voice'],
];

export function platformName(platformId: string | undefined): string | undefined {
	if (!platformId) return undefined;
	return PLATFORM_NAMES.find(([pattern]) => pattern.test(platformId.toLowerCase()))?.[1] ?? platformId;
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
			name: [channel.name ?? channel.id, platformName(channel.platformId), channel.identifier]
				.filter(Boolean)
				.join(' · '),
			value: channel.id,
		}))
		.filter((entry) => !needle || entry.name.toLowerCase().includes(needle));
	return { results, paginationToken: body.nextPageToken || undefined };
}
