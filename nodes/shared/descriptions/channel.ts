import type { INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../validation';
import { PATTERNS } from '../validation';

/** The Channel picker: a searchable list of the workspace's channels, or a channel ID. */
export const channelLocator: INodeProperties = {
	displayName: 'Channel',
	name: 'channelId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Bird channel (WhatsApp number, SMS number, email domain, …) to use',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a channel...',
			typeOptions: { searchListMethod: 'searchChannels', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 5da69b04-d462-5efd-9b65-28dbae1e0482',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: PATTERNS.uuid.source,
						errorMessage: 'A channel ID is a UUID, e.g. 5da69b04-d462-5efd-9b65-28dbae1e0482',
					},
				},
			],
		},
	],
};

/** A channel ID from the Channel picker, checked to be a UUID. */
export function readChannelId(input: ItemInput): string {
	return input.uuid(input.raw('channelId'), { label: 'Channel', path: 'channelId' }, { required: true }) as string;
}
