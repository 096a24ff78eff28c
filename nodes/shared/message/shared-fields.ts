import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../validation';
import type { SharedFieldName } from './types';

const ACTION_TYPES = [
	{ name: 'Reply Button', value: 'reply', description: 'A quick-reply button; its text comes back as the answer' },
	{ name: 'Postback Button', value: 'postback', description: 'A button that sends a payload back to you' },
	{ name: 'Link', value: 'link', description: 'A button that opens a URL' },
	{ name: 'Location Request', value: 'locationRequest', description: "Asks for the recipient's location" },
];

export const SHARED_FIELDS: Record<SharedFieldName, INodeProperties> = {
	text: {
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. Hello {{ $json.name }}, your order has shipped.',
		description:
			'The message text. Required for Text and List messages; the caption of images, files and carousels; the plain-text part of an email.',
	},
	actions: {
		displayName: 'Buttons',
		name: 'actions',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Button' },
		default: {},
		placeholder: 'Add Button',
		description: 'Buttons under the message (WhatsApp shows up to 3 reply buttons)',
		options: [
			{
				displayName: 'Button',
				name: 'action',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: ACTION_TYPES,
						default: 'reply',
					},
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						default: '',
						description: 'The button label',
					},
					{
						displayName: 'Payload',
						name: 'payload',
						type: 'string',
						default: '',
						required: true,
						description: 'Sent back to you when the button is pressed',
						displayOptions: { show: { type: ['postback'] } },
					},
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'https://example.com/track',
						displayOptions: { show: { type: ['link'] } },
					},
				],
			},
		],
	},
};

/** Builds Bird's `actions` array from the Buttons field, or undefined when there are none. */
export function readActions(input: ItemInput): IDataObject[] | undefined {
	const actions = input.entries('actions.action').map((entry, index) => {
		const at = (label: string, name: string) => ({
			label: `Buttons › Button ${index + 1} › ${label}`,
			path: `actions.action[${index}].${name}`,
		});
		const type = String(entry.type ?? 'reply');
		const text = input.soft(() => input.text(entry.text, at('Text', 'text'), { required: type !== 'locationRequest', example: 'Track my order' }));
		switch (type) {
			case 'reply':
				return { type, reply: { text } };
			case 'postback':
				return {
					type,
					postback: {
						text,
						payload: input.soft(() => input.text(entry.payload, at('Payload', 'payload'), { required: true, example: 'order-status' })),
					},
				};
			case 'link':
				return {
					type,
					link: { text, url: input.soft(() => input.url(entry.url, at('URL', 'url'), { required: true })) },
				};
			case 'locationRequest':
				return text === undefined ? { type } : { type, locationRequest: { text } };
			default:
				return input.fail(
					at('Type', 'type'),
					`"${type}" is not a button type`,
					ACTION_TYPES.map((t) => t.value).join(', '),
				);
		}
	});
	return actions.length ? actions : undefined;
}
