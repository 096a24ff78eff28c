import type { IDataObject } from 'n8n-workflow';

import { compact } from '../../validation';
import type { MessageType } from '../types';

export const list: MessageType = {
	value: 'list',
	noun: 'list',
	name: 'List',
	description: 'A menu of choices, optionally grouped in sections',
	target: 'body',
	sharedFields: ['text'],
	text: { placeholder: 'e.g. Which day suits you?', description: 'The text above the list', required: true },
	fields: [
		{
			displayName: 'List Title',
			name: 'listTitle',
			type: 'string',
			default: '',
			placeholder: 'e.g. Our opening hours',
			description: 'Shown above the text',
		},
		{
			displayName: 'Button Label',
			name: 'listButtonLabel',
			type: 'string',
			default: '',
			placeholder: 'e.g. Show options',
			description: 'The label of the button that opens the list (at most 20 characters)',
		},
		{
			displayName: 'Rows',
			name: 'listRows',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Row' },
			default: { row: [{ text: '', payload: '' }] },
			placeholder: 'Add Row',
			description:
				'The choices. Rows with the same Section title are grouped under it, in the order they first appear.',
			options: [
				{
					displayName: 'Row',
					name: 'row',
					values: [
						{
							displayName: 'Section',
							name: 'section',
							type: 'string',
							default: '',
							description: 'The title of the section the row belongs to; leave empty for a list without sections',
						},
						{
							displayName: 'Text',
							name: 'text',
							type: 'string',
							default: '',
							required: true,
							description: 'The label of the choice',
						},
						{
							displayName: 'Payload',
							name: 'payload',
							type: 'string',
							default: '',
							required: true,
							description: 'Sent back to you when this row is chosen',
						},
						{
							displayName: 'Description',
							name: 'description',
							type: 'string',
							default: '',
							description: 'A second line under the label (at most 72 characters)',
						},
					],
				},
			],
		},
	],
	build(input) {
		const sections = new Map<string, IDataObject[]>();
		input.entries('listRows.row').forEach((row, index) => {
			const at = (label: string, name: string) => ({
				label: `Rows › Row ${index + 1} › ${label}`,
				path: `listRows.row[${index}].${name}`,
			});
			const description = input.soft(() => input.text(row.description, at('Description', 'description'), { maxLength: 72 }));
			const postback = compact({
				text: input.soft(() => input.text(row.text, at('Text', 'text'), { required: true, example: 'Opening hours' })),
				payload: input.soft(() => input.text(row.payload, at('Payload', 'payload'), { required: true, example: 'hours' })),
				metadata: { description: description === undefined ? undefined : { label: description } },
			});
			const section = String(row.section ?? '').trim();
			sections.set(section, [...(sections.get(section) ?? []), { type: 'postback', postback }]);
		});
		if (!sections.size) {
			input.fail({ label: 'Rows', path: 'listRows' }, 'needs at least one row', '1 row with a Text and a Payload');
		}
		const label = input.soft(() => input.param('listButtonLabel', 'Button Label', { maxLength: 20, example: 'Show options' }));
		return compact({
			text: input.soft(() => input.param('text', 'Text', { required: true, example: 'Pick a time slot' })),
			title: input.param('listTitle', 'List Title'),
			items: [...sections].map(([title, actions]) => compact({ title: title || undefined, actions })),
			metadata: { button: label === undefined ? undefined : { label } },
		});
	},
};
