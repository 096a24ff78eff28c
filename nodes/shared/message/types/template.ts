import { readTemplate, TEMPLATE, templateFields } from '../templates';
import type { MessageType } from '../types';

export const template: MessageType = {
	value: 'template',
	noun: 'template',
	name: 'Template',
	description: 'An approved template: the only kind WhatsApp delivers outside the 24-hour window',
	target: 'template',
	fields: templateFields(TEMPLATE),
	build: (input) => readTemplate(input, TEMPLATE),
};
