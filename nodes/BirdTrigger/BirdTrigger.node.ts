import type {
	IHookFunctions,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { DOCS, README } from '../shared/constants';
import { channelLocator } from '../shared/descriptions/channel';
import { birdCredential, birdIcon } from '../shared/descriptions/node';
import { searchChannels } from '../shared/listSearch';
import { receiveDelivery } from './delivery';
import { INTERACTION_TYPES, MESSAGE_STATUSES, TRIGGER_EVENTS } from './events';
import { DEFAULT_MAX_AGE_MINUTES, LONGEST_MAX_AGE_MINUTES, V1_FIELD_DEFAULT_MAX_AGE_MINUTES } from './replay';
import { createSubscriptions, deleteStoredSubscriptions, subscriptionsExist } from './subscriptions';

/**
 * What an answer to a Send and Wait question does: resume that execution (new triggers), or start
 * this workflow like any message (version 1: workflows saved before Send and Wait existed keep
 * behaving as they did, and make no extra read per message).
 */
const WAITING_ANSWERS: INodeProperties = {
	displayName: 'Answers to Send and Wait',
	name: 'waitingAnswers',
	type: 'options',
	default: 'resume',
	options: [
		{
			name: 'Resume the Waiting Execution',
			value: 'resume',
			description:
				"A contact's answer to a question of a Send and Wait node (a tap, or the next message they type) resumes that execution and starts nothing here. Each typed message costs one read from Bird.",
		},
		{
			name: 'Start This Workflow',
			value: 'start',
			description: 'Typed answers start this workflow like any message. Taps on a question’s buttons still resume the waiting execution.',
		},
	],
	description: 'What a message that answers a Send and Wait question does',
	displayOptions: { show: { '/events': ['inbound', 'conversation.created', 'conversation.updated'] } },
};
const WAITING_ANSWERS_V1: INodeProperties = { ...WAITING_ANSWERS, default: 'start' };

/** The trigger's options for one node version: Max Delivery Age's and Answers to Send and Wait's defaults differ. */
function triggerOptions(version: number): INodeProperties {
	const defaultAge = version === 1 ? V1_FIELD_DEFAULT_MAX_AGE_MINUTES : DEFAULT_MAX_AGE_MINUTES;
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { '@version': [version] } },
		options: [
			version === 1 ? WAITING_ANSWERS_V1 : WAITING_ANSWERS,
			{
				displayName: 'Download Media',
				name: 'downloadMedia',
				type: 'boolean',
				default: false,
				description:
					"Whether to fetch the pictures, voice notes, videos and files of a contact's message as binary data (data, data_1, …) with the credential. A file that cannot be fetched is named in mediaErrors; the item still arrives.",
				displayOptions: { show: { '/events': ['inbound', 'conversation.created', 'conversation.updated'] } },
			},
			{
				displayName: 'Interaction Types',
				name: 'interactionTypes',
				type: 'multiOptions',
				options: INTERACTION_TYPES.map((type) => ({ name: words(type), value: type })),
				default: [],
				description: 'Only these interactions start the workflow; none selected means all',
				displayOptions: { show: { '/events': ['interaction'] } },
			},
			{
				displayName: 'Max Delivery Age (Minutes)',
				name: 'maxAgeMinutes',
				type: 'number',
				default: defaultAge,
				// At most as long as repeats are remembered: an older signed delivery could be replayed unnoticed.
				description: `Deliveries signed longer ago than this are refused. Bird retries a delivery for hours with its first timestamp, so keep it long; repeats are caught by the event, not the time. From 1 to ${LONGEST_MAX_AGE_MINUTES} (24 hours, the default when the option is not added).`,
			},
			{
				displayName: 'Max Media Size (MB)',
				name: 'maxMediaSizeMb',
				type: 'number',
				default: 25,
				description: 'Larger files are not downloaded (mediaErrors says so). From 0.001 to 100.',
				displayOptions: { show: { downloadMedia: [true] } },
			},
			{
				displayName: 'Message Statuses',
				name: 'messageStatuses',
				type: 'multiOptions',
				options: MESSAGE_STATUSES.map((status) => ({ name: words(status), value: status })),
				default: [],
				description: 'Only these statuses start the workflow; none selected means every status change',
				displayOptions: { show: { '/events': ['outbound'] } },
			},
			{
				displayName: 'Only New Messages From Contacts',
				name: 'contactMessagesOnly',
				type: 'boolean',
				default: true,
				description:
					'Whether conversation events start the workflow only when they bring a new message from a contact. Turned off, your own replies and status or assignment changes start it too: a workflow that replies would answer itself.',
				displayOptions: { show: { '/events': ['conversation.created', 'conversation.updated'] } },
			},
		],
	};
}

const words = (value: string) => value.replace(/[-_]/g, ' ').replace(/^./, (first) => first.toUpperCase());

export class BirdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bird Channels Trigger',
		name: 'birdTrigger',
		icon: birdIcon,
		group: ['trigger'],
		// 2: Max Delivery Age shows its new default (24 hours), and n8n evaluates no expression per
		// delivery (for a start node of version 1 it evaluates its old Webhook node's binary option).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ ($parameter["events"] || []).length + " event" + (($parameter["events"] || []).length === 1 ? "" : "s") }}',
		description:
			'Starts the workflow when a Bird channel receives a message, a message changes status, a contact interacts, or a conversation starts or changes',
		defaults: { name: 'Bird Trigger' },
		documentationUrl: README.birdTrigger,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: birdCredential,
		// responseData '': n8n answers with the node's own JSON (webhookResponse), not with its default body "firstEntryJson".
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }],
		triggerPanel: {
			header: 'Waiting for an event from Bird',
			executionsHelp: {
				inactive:
					"<b>While building your workflow</b>, click <i>Execute step</i>, then send a message to the channel (or do what the chosen event needs): Bird sends it to n8n's test URL and this node shows it. <br/><br/><b>When the workflow is ready</b>, publish it: Bird then sends every event to the production URL, and each one starts an execution you find under <i>Executions</i>.",
				active:
					"<b>While building your workflow</b>, click <i>Execute step</i>, then send a message to the channel: Bird sends it to n8n's test URL and this node shows it. <br/><br/><b>The workflow is published</b>: every event Bird sends to the production URL starts an execution you find under <i>Executions</i>.",
			},
			activationHint: 'Once the workflow is ready, publish it: Bird then delivers every event, and you find the runs under Executions.',
		},
		properties: [
			{
				displayName: `Bird sends events to this workflow's webhook URL, which must be a public https address (set n8n's <code>WEBHOOK_URL</code>). The Bird credential needs the Organization ID. Every delivery is checked against Bird's signature before the workflow starts. <a href="${DOCS.webhooks}" target="_blank">Webhooks in Bird's docs</a>`,
				name: 'triggerNotice',
				type: 'notice',
				default: '',
			},
			channelLocator,
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: TRIGGER_EVENTS,
				default: ['inbound'],
				required: true,
				description: 'What starts the workflow; each event becomes a webhook subscription in Bird for this channel',
			},
			...[1, 2].map((version) => triggerOptions(version)),
		],
	};

	methods = { listSearch: { searchChannels } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await subscriptionsExist(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await createSubscriptions(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				await deleteStoredSubscriptions(this);
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery(this);
	}
}
