/**
 * The fields of n8n's "Send and Wait for Response", as n8n's own WhatsApp, Telegram and Slack
 * nodes name them (`operation: sendAndWait`, `message`, `responseType`, `approvalOptions`,
 * `options.limitWaitTime`), so that a workflow reads the same and n8n's AI Agent can use the node
 * for human review; plus where the answer is given (`answerIn`). Send Message and Reply add them
 * after their own operation field.
 */
import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

export const SEND_AND_WAIT = SEND_AND_WAIT_OPERATION;

/** The operation field: a plain send (default: what every saved workflow does) or send and wait. */
export function operationField(sendAction: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Send', value: 'send', action: sendAction, description: 'Send the message and go on' },
			{
				name: 'Send and Wait for Response',
				value: SEND_AND_WAIT,
				action: 'Send message and wait for response',
				description: 'Send the message and pause the workflow until the contact answers in the chat or through a link',
			},
		],
		default: 'send',
	};
}

/** n8n's Limit Wait Time, with its names and defaults. */
const limitWaitTime: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description: 'Whether to limit the time this node should wait for a response before the execution goes on without one',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					options: [
						{ name: 'After Time Interval', description: 'Waits for a certain amount of time', value: 'afterTimeInterval' },
						{ name: 'At Specified Time', description: 'Waits until the set date and time to continue', value: 'atSpecifiedTime' },
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					default: 1,
					typeOptions: { numberPrecision: 2 },
					description: 'The time to wait',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					default: 'hours',
					options: [
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					default: '',
					description: 'Continue execution after the specified date and time',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
				},
			],
		},
	],
};

/** The send-and-wait fields, shown for that operation only. Every node's own fields around them stay for Send. */
export function sendAndWaitFields(): INodeProperties[] {
	const show = { operation: [SEND_AND_WAIT] };
	return [
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			default: '',
			required: true,
			typeOptions: { rows: 4 },
			placeholder: 'e.g. Hi {{ $json.name }}, can you make it on Tuesday at 10:00?',
			description: 'The question. In the chat it carries the answer buttons; by link, the links follow it.',
			displayOptions: { show },
		},
		{
			displayName: 'Response Type',
			name: 'responseType',
			type: 'options',
			default: 'approval',
			options: [
				{ name: 'Approval', value: 'approval', description: 'The contact taps a button (or types yes or no), or opens a link' },
				{ name: 'Free Text', value: 'freeText', description: "The contact's next message is the answer, or what they type in the linked form" },
			],
			displayOptions: { show },
		},
		{
			displayName: 'Approval Options',
			name: 'approvalOptions',
			type: 'fixedCollection',
			placeholder: 'Add option',
			default: {},
			options: [
				{
					displayName: 'Values',
					name: 'values',
					values: [
						{
							displayName: 'Type of Approval',
							name: 'approvalType',
							type: 'options',
							default: 'single',
							options: [
								{ name: 'Approve Only', value: 'single' },
								{ name: 'Approve and Disapprove', value: 'double' },
							],
						},
						{
							displayName: 'Approve Button Label',
							name: 'approveLabel',
							type: 'string',
							default: '✓ Approve',
							hint: 'WhatsApp shows at most 20 characters on a button',
							displayOptions: { show: { approvalType: ['single', 'double'] } },
						},
						{
							displayName: 'Disapprove Button Label',
							name: 'disapproveLabel',
							type: 'string',
							default: '✗ Decline',
							displayOptions: { show: { approvalType: ['double'] } },
						},
					],
				},
			],
			displayOptions: { show: { ...show, responseType: ['approval'] } },
		},
		{
			displayName: 'Answer In',
			name: 'answerIn',
			type: 'options',
			default: 'auto',
			options: [
				{
					name: 'Automatic',
					value: 'auto',
					description: 'In the chat where the channel has reply buttons (WhatsApp, Telegram, Messenger, Instagram, LINE, RCS), else through links (SMS, email)',
				},
				{ name: 'The Chat', value: 'chat', description: 'Buttons and typed answers; needs a published Bird Channels Trigger on the channel' },
				{ name: 'A Link', value: 'link', description: "Links to pages of this n8n; needs a public WEBHOOK_URL" },
			],
			displayOptions: { show },
		},
		{
			displayName:
				'Answers in the chat reach the waiting execution through a published workflow whose Bird Channels Trigger has <b>Message Received</b> on this channel. Links need this n8n reachable at its <code>WEBHOOK_URL</code>.',
			name: 'sendAndWaitNotice',
			type: 'notice',
			default: '',
			displayOptions: { show },
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			options: [
				limitWaitTime,
				{
					displayName: 'Link Label',
					name: 'messageButtonLabel',
					type: 'string',
					default: 'Respond',
					description: 'For Free Text by link: the words before the link to the form',
				},
				{
					displayName: 'Response Form Title',
					name: 'responseFormTitle',
					type: 'string',
					default: '',
					description: 'For Free Text by link: the title of the form page',
				},
				{
					displayName: 'Response Form Button Label',
					name: 'responseFormButtonLabel',
					type: 'string',
					default: 'Submit',
				},
			],
			displayOptions: { show },
		},
	];
}

/** Marks a node's other fields as Send's only: the send-and-wait fields take their place. */
export function onlyForSend(properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: { ...property.displayOptions, show: { ...property.displayOptions?.show, operation: ['send'] } },
	}));
}

/** n8n's waiting webhooks of a send-and-wait node: the signed resume URL, opened (GET) or posted to. */
export const sendAndWaitWebhooks: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'GET', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
];

/** A node's canvas subtitle with Send and Wait in words. */
export function waitingSubtitle(sendSubtitle: string): string {
	return `={{ $parameter["operation"] === "sendAndWait" ? "Send and wait for response" : ${sendSubtitle.slice(3, -2).trim()} }}`;
}

/** What the editor shows on a waiting node, as n8n's own send-and-wait nodes do. */
export const WAITING_TOOLTIP = '={{ $parameter["operation"] === "sendAndWait" ? "Execution will continue after the contact\'s response" : "" }}';
