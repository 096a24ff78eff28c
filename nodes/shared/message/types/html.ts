import { compact } from '../../validation';
import type { MessageType } from '../types';

export const html: MessageType = {
	value: 'html',
	name: 'HTML (Email)',
	description: 'An email with an HTML body, a plain-text part or both',
	target: 'body',
	sharedFields: ['text'],
	fields: [
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
		},
	],
	build(input) {
		const htmlBody = input.param('html', 'HTML');
		const plain = input.param('text', 'Text');
		if (htmlBody === undefined && plain === undefined) {
			input.fail({ label: 'HTML', path: 'html' }, 'an email needs HTML, Text or both', '<p>Hello</p>');
		}
		const subject = input.param('emailSubject', 'Subject');
		return compact({ html: htmlBody, text: plain, metadata: { subject } });
	},
};
