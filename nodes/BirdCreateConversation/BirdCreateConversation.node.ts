import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DOCS } from '../shared/constants';
import { channelLocator, readChannelId } from '../shared/descriptions/channel';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdIcon, sendingNodeBase, WORKSPACE_PATH } from '../shared/descriptions/node';
import { identifierFields, readIdentifierList } from '../shared/descriptions/recipients';
import { runItems } from '../shared/executor';
import { searchChannels, searchTemplates } from '../shared/listSearch';
import { buildMessageContent, messageContentProperties } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import { oneRequestEach } from '../shared/send';
import type { ItemInput } from '../shared/validation';
import { applyConversationOptions, conversationOptions } from './conversationOptions';

/** Bird allows at most this many participants when a conversation is created. */
const MAX_PARTICIPANTS = 5;

/** One item's request: `POST /workspaces/{ws}/conversations` with the participants and the first message. */
function conversationRequest(input: ItemInput): ItemRequest {
	const body: IDataObject = {
		channelId: readChannelId(input),
		participants: readIdentifierList(input, 'identifierValue', 'Participants', { required: true, max: MAX_PARTICIPANTS }).map((identifier) => ({
			type: 'contact',
			...identifier,
		})),
	};
	const name = input.param('conversationName', 'Conversation Name', { maxLength: 256 });
	if (name) body.name = name;
	body.initialMessage = buildMessageContent(input);
	applyConversationOptions(input, body);
	return { method: 'POST', url: `${WORKSPACE_PATH}/conversations`, body };
}

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
			channelLocator,
			...identifierFields({ valueLabel: 'Participants', multiple: true }),
			{
				displayName: 'Conversation Name',
				name: 'conversationName',
				type: 'string',
				default: '',
				placeholder: 'e.g. Order 1234',
				description: 'Shown in Bird’s inbox; on email channels it is the subject',
			},
			...messageContentProperties(),
			conversationOptions,
			deliveryOptions('write'),
			{
				displayName: `Up to ${MAX_PARTICIPANTS} participants. Bird answers with the new conversation (ID, status, participants, last message). <a href="${DOCS.conversations}" target="_blank">Conversations in Bird's docs</a>`,
				name: 'conversationNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = { listSearch: { searchChannels, searchTemplates } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runItems(this, { prepare: conversationRequest, send: oneRequestEach(this, readDelivery(this.getNodeParameter('delivery', 0, {}))) });
	}
}
