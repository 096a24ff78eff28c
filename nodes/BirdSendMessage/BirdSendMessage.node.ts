import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { DOCS, README } from '../shared/constants';
import { channelLocator } from '../shared/descriptions/channel';
import { deliveryOptions, readDelivery } from '../shared/descriptions/delivery';
import { birdIcon, sendingNodeBase } from '../shared/descriptions/node';
import { identifierFields } from '../shared/descriptions/recipients';
import { runItems } from '../shared/executor';
import { searchChannels, searchTemplates } from '../shared/listSearch';
import { templateLoadOptions, templateResourceMapping } from '../shared/loadOptions/templates';
import { ExecutionLookups } from '../shared/lookups';
import { messageContentProperties, messageSubtitle, smartSendFields } from '../shared/message';
import { oneRequestEach } from '../shared/send';
import { onlyForSend, operationField, SEND_AND_WAIT, sendAndWaitFields, sendAndWaitWebhooks, WAITING_TOOLTIP, waitingSubtitle } from '../shared/waiting/description';
import { sendAndWait } from '../shared/waiting/send';
import { sendAndWaitWebhook } from '../shared/waiting/webhook';
import { settingInRange } from '../shared/validation';
import { BIRD_BATCH, batchRunner, READ_BACK } from './batch';
import { channelQuestion, finishChannelMessage, messageRequest, prepareChannelMessage } from './channelMessage';
import { sendOptions } from './sendOptions';

const inBatches = { show: { sendMode: ['batch'] } };

export class BirdSendMessage implements INodeType {
	description: INodeTypeDescription = {
		...sendingNodeBase,
		version: [1, 1.1],
		defaultVersion: 1.1,
		icon: birdIcon,
		usableAsTool: true,
		displayName: 'Bird: Send Message',
		name: 'birdSendMessage',
		subtitle: waitingSubtitle(messageSubtitle('Send')),
		description: 'Send a WhatsApp, SMS, email, Telegram or other message through a Bird channel',
		defaults: { name: 'Bird: Send Message' },
		documentationUrl: README.sendMessage,
		// Send and Wait: n8n calls these at the signed resume URL while the execution waits (nodes/shared/waiting/).
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip: WAITING_TOOLTIP,
		properties: [
			operationField('Send a message'),
			channelLocator,
			...identifierFields({ valueLabel: 'Recipient', multiple: true }),
			...sendAndWaitFields(),
			...onlyForSend([
				...messageContentProperties(),
				...smartSendFields(),
				sendOptions,
			{
				displayName: 'Send Mode',
				name: 'sendMode',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'One Request per Message',
						value: 'perMessage',
						description: "Each item's output is Bird's answer for its message: its ID and status",
					},
					{
						name: 'Batch (up to 100 per Request)',
						value: 'batch',
						description:
							"For bulk sends: items of the same channel go to Bird's batch endpoint, 100 per request, far beyond 500 messages per second",
					},
				],
				default: 'perMessage',
			},
			{
				displayName: "Wait for Bird's Validation",
				name: 'waitForValidation',
				type: 'boolean',
				default: true,
				description:
					"Whether to read each batch's messages back until Bird has validated them, so that a message Bird rejects becomes its item's error. Turned off, an item only says its batch was accepted.",
				displayOptions: inBatches,
			},
			{
				displayName: 'Validation Wait (Seconds)',
				name: 'validationWaitSeconds',
				type: 'number',
				default: 60,
				hint: `From 1 to 600. Reading a batch back costs at most ${READ_BACK.maxRequests} read requests, usually one or two.`,
				description:
					"How long to read a batch's messages back before reporting what is known. A message Bird has not validated by then succeeds with a warning to look it up before sending it again.",
				displayOptions: { show: { sendMode: ['batch'], waitForValidation: [true] } },
			},
			]),
			deliveryOptions('write'),
			{
				displayName: `Bird answers with the message it accepted (ID and status); in batch mode, with the batch ID and each message's position and status. <a href="${DOCS.sendMessage}" target="_blank">Message types in Bird's docs</a>`,
				name: 'sendNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { operation: ['send'] } },
			},
		],
	};

	webhook = async function (this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook(this);
	};

	methods = {
		listSearch: { searchChannels, searchTemplates },
		loadOptions: templateLoadOptions,
		resourceMapping: templateResourceMapping,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readDelivery(this.getNode(), this.getNodeParameter('delivery', 0, {}), 'write');
		const lookups = new ExecutionLookups(this, settings);
		if (this.getNodeParameter('operation', 0, 'send') === SEND_AND_WAIT) {
			return await sendAndWait(this, channelQuestion(lookups), settings);
		}
		if (this.getNodeParameter('sendMode', 0, 'perMessage') === 'batch') {
			const wait = (this.getNodeParameter('waitForValidation', 0, true) as boolean)
				? settingInRange(this.getNode(), this.getNodeParameter('validationWaitSeconds', 0, BIRD_BATCH.validationWaitMs / 1000), {
						label: 'Validation Wait (Seconds)',
						fallback: BIRD_BATCH.validationWaitMs / 1000,
						min: 1,
						max: 600,
					}) * 1000
				: 0;
			return await runItems(this, batchRunner(this, settings, wait, lookups));
		}
		const send = oneRequestEach(this, settings);
		return await runItems(this, {
			prepare: prepareChannelMessage,
			send: async (message, itemIndex, halted) => {
				const outcome = await finishChannelMessage(this, lookups, message, itemIndex, settings, halted);
				const result = await send(messageRequest(message), itemIndex, halted);
				return outcome ? { ...result, json: { ...result.json, ...outcome } } : result;
			},
		});
	}
}
