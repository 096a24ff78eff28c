import type { INodeProperties } from 'n8n-workflow';

import { channelLocator } from '../../../shared/descriptions/channel';
import type { AnyOperation } from '../../shared/operation';
import * as downloadMedia from './downloadMedia';
import * as get from './get';
import * as getAll from './getAll';

/** Bird's Channels API messages: one message's status and failure, its files, and a channel's messages. */
export const messageOperations: Record<string, AnyOperation> = {
	downloadMedia: downloadMedia.run,
	get: get.run,
	getAll: getAll.run,
};

export const messageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Download Media', value: 'downloadMedia', action: 'Download media of a message', description: "Get a message's pictures, voice notes, videos and files as binary data" },
			{ name: 'Get', value: 'get', action: 'Get a message', description: "Get a message's status, failure, channel and contact" },
			{ name: 'Get Many', value: 'getAll', action: 'Get many messages', description: "Get a channel's messages, newest first" },
		],
		default: 'get',
	},
	// Every message operation is about one channel's messages (Bird lists and reads them per channel).
	{ ...channelLocator, displayOptions: { show: { resource: ['message'] } } },
	...downloadMedia.fields,
	...get.fields,
	...getAll.fields,
];
