import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { DOCS, README } from '../shared/constants';
import { channelLocator, readChannelId } from '../shared/descriptions/channel';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdIcon, sendingNodeBase, WORKSPACE_PATH } from '../shared/descriptions/node';
import { identifierFields, readIdentifierList } from '../shared/descriptions/recipients';
import { runItems } from '../shared/executor';
import { searchChannels, searchTemplates } from '../shared/listSearch';
import { templateLoadOptions, templateResourceMapping } from '../shared/loadOptions/templates';
import { hasMedia, uploadMedia } from '../shared/media';
import { buildMessageContent, messageContentProperties, messageSubtitle } from '../shared/message';
import type { ItemRequest } from '../shared/send';
import { oneRequestEach } from '../shared/send';
import type { ItemInput } from '../shared/validation';
import { applyConversationOptions, conversationOptions } from './conversationOptions';

/** Bird allows at most this many participants when a conversation is created. */
const MAX_PARTICIPANTS = 5;

/** One item's request: `POST /workspaces/{ws}/conversations` with the participants and the first message. */
async function conversationRequest(input: ItemInput): Promise<ItemRequest> {
	const body: IDataObject = {
		channelId: readChannelId(input),
		participants: readIdentifierList(input, 'identifierValue', 'Participants', { required: true, max: MAX_PARTICIPANTS }).map((identifier) => ({
			type: 'contact',
			...identifier,
		})),
	};
	// One version of Bird's docs marks `name` required: an empty one becomes "Conversation with" the participants.
	const participants = (body.participants as Array<{ identifierValue: string }>).map((participant) => participant.identifierValue);
	body.name = input.param('conversationName', 'Conversation Name', { maxLength: 256 }) || `Conversation with ${participants.join(', ')}`.slice(0, 256);
	body.initialMessage = await buildMessageContent(input);
	applyConversationOptions(input, body);
	return { method: 'POST', url: `${WORKSPACE_PATH}/conversations`, body };
}

export class BirdCreateConversation implements INodeType {
	description: INodeTypeDescription = {
		...sendingNodeBase,
		version: [1, 1.1],
		defaultVersion: 1.1,
		icon: birdIcon,
		usableAsTool: true,
		displayName: 'Bird: Create Conversation',
		name: 'birdCreateConversation',
		subtitle: messageSubtitle('Start with'),
		description: 'Start a Bird conversation with one or more contacts and send its first message',
		defaults: { name: 'Bird: Create Conversation' },
		documentationUrl: README.createConversation,
		properties: [
			channelLocator,
			...identifierFields({ valueLabel: 'Participants', multiple: true }),
			{
				displayName: 'Conversation Name',
				name: 'conversationName',
				type: 'string',
				default: '',
				placeholder: 'e.g. Order 1234',
				description: 'Shown in Bird’s inbox; on email channels it is the subject. Empty: "Conversation with" and the participants.',
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

	methods = {
		listSearch: { searchChannels, searchTemplates },
		loadOptions: templateLoadOptions,
		resourceMapping: templateResourceMapping,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readDelivery(this.getNode(), this.getNodeParameter('delivery', 0, {}), 'write');
		const send = oneRequestEach(this, settings);
		return await runItems(this, {
			prepare: conversationRequest,
			send: async (request, itemIndex, halted) => {
				// The conversation does not exist yet: its first message's files go through the channel-media upload.
				if (hasMedia(request.body)) await uploadMedia(this, request.body as IDataObject, { channel: true }, settings, halted);
				return await send(request, itemIndex, halted);
			},
		});
	}
}
