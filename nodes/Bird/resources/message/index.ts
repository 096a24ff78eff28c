import type { INodeProperties } from 'n8n-workflow';

import { channelLocator } from '../../../shared/descriptions/channel';
import type { AnyOperation } from '../../shared/operation';
import * as get from './get';
import * as getAll from './getAll';

/**
 * Bird's Channels API messages: one message's status and failure, and a channel's messages.
 * Download Media (a message's files) joins here: its own downloadMedia.ts (fields and run), an
 * entry below and an option in Operation; it only reads, so it also goes into READS in
 * Bird.node.ts.
 */
export const messageOperations: Record<string, AnyOperation> = {
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
			{ name: 'Get', value: 'get', action: 'Get a message', description: "Get a message's status, failure, channel and contact" },
			{ name: 'Get Many', value: 'getAll', action: 'Get many messages', description: "Get a channel's messages, newest first" },
		],
		default: 'get',
	},
	// Every message operation is about one channel's messages (Bird lists and reads them per channel).
	{ ...channelLocator, displayOptions: { show: { resource: ['message'] } } },
	...get.fields,
	...getAll.fields,
];
