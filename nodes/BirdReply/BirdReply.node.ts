import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DOCS, README } from '../shared/constants';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdIcon, sendingNodeBase } from '../shared/descriptions/node';
import { identifierFields } from '../shared/descriptions/recipients';
import { runItems } from '../shared/executor';
import { searchTemplates } from '../shared/listSearch';
import { templateLoadOptions, templateResourceMapping } from '../shared/loadOptions/templates';
import { ExecutionLookups } from '../shared/lookups';
import { messageContentProperties, messageSubtitle, smartSendFields } from '../shared/message';
import { oneRequestEach } from '../shared/send';
import { EXAMPLES } from '../shared/validation';
import { onlyForSend, operationField, SEND_AND_WAIT, sendAndWaitFields, sendAndWaitWebhooks, WAITING_TOOLTIP, waitingSubtitle } from '../shared/waiting/description';
import { sendAndWait } from '../shared/waiting/send';
import { sendAndWaitWebhook } from '../shared/waiting/webhook';
import { finishReply, prepareReply, replyQuestion, replyRequest } from './reply';
import { SENDER_TYPES } from './sender';

export class BirdReply implements INodeType {
	description: INodeTypeDescription = {
		...sendingNodeBase,
		version: [1, 1.1],
		defaultVersion: 1.1,
		icon: birdIcon,
		usableAsTool: true,
		displayName: 'Bird: Reply',
		name: 'birdReply',
		subtitle: waitingSubtitle(messageSubtitle('Reply with')),
		description: 'Send a message into an existing Bird conversation',
		defaults: { name: 'Bird: Reply' },
		documentationUrl: README.reply,
		// Send and Wait: n8n calls these at the signed resume URL while the execution waits (nodes/shared/waiting/).
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip: WAITING_TOOLTIP,
		properties: [
			operationField('Reply in a conversation'),
			{
				displayName: 'Conversation ID',
				name: 'conversationId',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'e.g. {{ $json.conversationId }}',
				description:
					'The conversation to reply in, usually from a trigger or an earlier node (the ID of a conversation Bird created)',
			},
			{
				displayName: 'Sender Type',
				name: 'participantType',
				type: 'options',
				options: SENDER_TYPES,
				default: 'accessKey',
				description: 'Who the message is sent as',
			},
			{
				displayName: 'Access Key ID',
				name: 'participantId',
				type: 'string',
				default: '',
				placeholder: 'From the credential or the conversation',
				description:
					"Leave empty to use the Access Key ID of the credential, or else the access key among the conversation's participants. The ID Bird shows next to the key in Settings › Developer › Access keys (not the key itself).",
				displayOptions: { show: { participantType: ['accessKey'] } },
			},
			{
				displayName: 'Sender ID',
				name: 'participantId',
				type: 'string',
				default: '',
				required: true,
				placeholder: `e.g. ${EXAMPLES.uuid}`,
				description: 'The ID of the contact or the flow the message is sent as (a participant of the conversation)',
				displayOptions: { show: { participantType: ['contact', 'flow', 'user'] } },
			},
			...identifierFields({ valueLabel: 'Recipients', multiple: true, required: false }),
			...sendAndWaitFields(),
			...onlyForSend([
			...messageContentProperties(),
			...smartSendFields(),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Add Missing Participants',
						name: 'addMissingParticipants',
						type: 'boolean',
						default: true,
						description: 'Whether to add the sender to the conversation first if it is not a participant yet',
					},
					{
						displayName: 'Draft',
						name: 'draft',
						type: 'boolean',
						default: false,
						description: 'Whether to save the message as a draft instead of sending it',
					},
					{
						displayName: 'Reference',
						name: 'reference',
						type: 'string',
						default: '',
						placeholder: 'e.g. order-1234',
						description: 'Your own identifier for the message',
					},
				],
			},
			]),
			deliveryOptions('write'),
			{
				displayName: `Leave Recipients empty to reply to the conversation's participants. Bird answers with the new message. <a href="${DOCS.conversations}" target="_blank">Conversations in Bird's docs</a>`,
				name: 'replyNotice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = {
		listSearch: { searchTemplates },
		loadOptions: templateLoadOptions,
		resourceMapping: templateResourceMapping,
	};

	webhook = async function (this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook(this);
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readDelivery(this.getNode(), this.getNodeParameter('delivery', 0, {}), 'write');
		const lookups = new ExecutionLookups(this, settings);
		if (this.getNodeParameter('operation', 0, 'send') === SEND_AND_WAIT) {
			return await sendAndWait(this, replyQuestion(this, lookups, settings), settings);
		}
		const send = oneRequestEach(this, settings);
		return await runItems(this, {
			prepare: prepareReply,
			send: async (reply, itemIndex, halted) => {
				const outcome = await finishReply(this, lookups, reply, itemIndex, settings, halted);
				const result = await send(replyRequest(reply), itemIndex, halted);
				return outcome ? { ...result, json: { ...result.json, ...outcome } } : result;
			},
		});
	}
}
