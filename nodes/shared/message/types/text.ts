import { compact } from '../../validation';
import { readActions } from '../shared-fields';
import type { MessageType } from '../types';

export const text: MessageType = {
	value: 'text',
	noun: 'text',
	name: 'Text',
	description: 'A text message, optionally with buttons',
	target: 'body',
	sharedFields: ['text', 'actions'],
	text: { placeholder: 'e.g. Hello {{ $json.name }}, your order has shipped.', description: 'The message (up to 4,096 characters)', required: true },
	fields: [
		{
			displayName: 'Text Options',
			name: 'textOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'WhatsApp Link Preview',
					name: 'whatsappLinkPreview',
					type: 'boolean',
					default: false,
					description: 'Whether WhatsApp shows a preview of the first link in the text',
				},
				{
					displayName: 'Telegram Parse Mode',
					name: 'telegramParseMode',
					type: 'options',
					options: [
						{ name: 'Markdown', value: 'Markdown' },
						{ name: 'MarkdownV2', value: 'MarkdownV2' },
					],
					default: 'Markdown',
					description: 'How Telegram formats the text',
				},
			],
		},
	],
	build(input) {
		const preview = input.boolean('textOptions.whatsappLinkPreview', 'Text Options › WhatsApp Link Preview');
		const parseMode = input.raw('textOptions.telegramParseMode');
		return compact({
			text: input.param('text', 'Text', { required: true, maxLength: 4096, example: 'Hello!' }),
			actions: readActions(input),
			metadata: {
				whatsapp: preview === undefined ? undefined : { previewUrl: preview },
				telegram: parseMode === undefined ? undefined : { parseMode: String(parseMode) },
			},
		});
	},
};
