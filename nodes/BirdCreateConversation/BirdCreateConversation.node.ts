import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DOCS } from '../shared/constants';
import { channelLocator } from '../shared/descriptions/channel';
import { birdIcon, sendingNodeBase, WORKSPACE_PATH } from '../shared/descriptions/node';
import { identifierFields, readIdentifierList } from '../shared/descriptions/recipients';
import { searchChannels, searchTemplates } from '../shared/listSearch';
import { messageContentProperties } from '../shared/message';
import { bodyStep, readChannelId } from '../shared/presend';
import { routedDeliveryOptions } from '../shared/transport/routing';
import { conversationOptions } from './conversationOptions';

/** Bird allows at most this many participants when a conversation is created. */
const MAX_PARTICIPANTS = 5;

const setConversation = bodyStep((input, body) => {
	body.channelId = readChannelId(input);
	body.participants = readIdentifierList(input, 'identifierValue', 'Participants', {
		required: true,
		max: MAX_PARTICIPANTS,
	}).map((identifier) => ({ type: 'contact', ...identifier }));
	const name = input.param('conversationName', 'Conversation Name', { maxLength: 256 });
	if (name) body.name = name;
});

export class BirdCreateConversation implements INodeType {
	description: INodeTypeDescription = {
		...sendingNodeBase,
		icon: birdIcon,
		usableAsTool: true,
		displayName: 'Bird: Create Conversation',
		name: 'birdCreateConversation',
		subtitle: '={{ "Start with " + $parameter["messageType"] }}',
		description: 'Start a Bird conversation with one or more contacts and send its first message',
		defaults: { name: 'Bird: Create Conversation' },
		properties: [
			{
				...channelLocator,
				routing: {
					request: { method: 'POST', url: `${WORKSPACE_PATH}/conversations` },
					send: { preSend: [setConversation] },
				},
			},
			...identifierFields({ valueLabel: 'Participants', multiple: true }),
			{
				displayName: 'Conversation Name',
				name: 'conversationName',
				type: 'string',
				default: '',
				placeholder: 'e.g. Order 1234',
				description: 'Shown in Bird’s inbox; on email channels it is the subject',
			},
			...messageContentProperties('initialMessage'),
			conversationOptions,
			routedDeliveryOptions,
			{
				displayName: `Up to ${MAX_PARTICIPANTS} participants. Bird answers with the new conversation (ID, status, participants, last message). <a href="${DOCS.conversations}" target="_blank">Conversations in Bird's docs</a>`,
				name: 'conversationNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = { listSearch: { searchChannels, searchTemplates } };
}
