import { compact } from '../../validation';
import type { MessageType } from '../types';

export const html: MessageType = {
	value: 'html',
	noun: 'HTML email',
	name: 'HTML (Email)',
	description: 'An email with an HTML body, a plain-text part or both',
	target: 'body',
	sharedFields: ['text'],
	text: {
		displayName: 'Plain Text (Optional)',
		placeholder: 'e.g. Hello Jane, your order has shipped. Track it at https://example.com/track',
		description: 'The plain-text part of the email, for mail apps that show no HTML. With no HTML, the email is this text alone.',
		last: true,
	},
	fields: [
		{
			displayName: 'HTML messages go to email channels. On WhatsApp, SMS and the other channels, send Text.',
			name: 'htmlNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Subject',
			name: 'emailSubject',
			type: 'string',
			default: '',
			placeholder: 'e.g. Your order has shipped',
		},
		{
			displayName: 'HTML',
			name: 'html',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '<p>Hello <b>Jane</b></p>',
			description: 'The body of the email as HTML',
		},
	],
	build(input) {
		const htmlBody = input.param('html', 'HTML');
		const plain = input.param('text', 'Plain Text');
		if (htmlBody === undefined && plain === undefined) {
			input.fail({ label: 'HTML', path: 'html' }, 'an email needs HTML, Plain Text or both', '<p>Hello</p>');
		}
		const subject = input.param('emailSubject', 'Subject');
		return compact({ html: htmlBody, text: plain, metadata: { subject } });
	},
};
