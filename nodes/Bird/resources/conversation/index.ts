import type { INodeProperties } from 'n8n-workflow';

import { conversationLocator } from '../../shared/locators';
import type { AnyOperation } from '../../shared/operation';
import * as addParticipant from './addParticipant';
import * as get from './get';
import * as getAll from './getAll';
import * as getParticipants from './getParticipants';
import * as update from './update';

/** Bird's Conversations API beyond creating and replying (the nodes Create Conversation and Reply). */
export const conversationOperations: Record<string, AnyOperation> = {
	addParticipant: addParticipant.run,
	get: get.run,
	getAll: getAll.run,
	getParticipants: getParticipants.run,
	update: update.run,
};

export const conversationDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{ name: 'Add Participant', value: 'addParticipant', action: 'Add a participant to a conversation', description: 'Add a contact, user, access key or flow' },
			{ name: 'Get', value: 'get', action: 'Get a conversation', description: 'Get a conversation: status, channel, participants, last message' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many conversations', description: "Get the workspace's conversations, or a contact's" },
			{ name: 'Get Participants', value: 'getParticipants', action: 'Get the participants of a conversation', description: "List a conversation's participants" },
			{ name: 'Update', value: 'update', action: 'Update a conversation', description: 'Close, reopen or rename a conversation' },
		],
		default: 'get',
	},
	// Every operation but Get Many is about one conversation.
	conversationLocator({ displayOptions: { show: { resource: ['conversation'], operation: ['addParticipant', 'get', 'getParticipants', 'update'] } } }),
	...get.fields,
	...getAll.fields,
	...getParticipants.fields,
	...update.fields,
	...addParticipant.fields,
];
