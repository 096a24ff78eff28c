import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { valuesOf } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { readAttributes } from '../../../shared/descriptions/attributes';
import { CONVERSATION_ACCESSIBILITIES, CONVERSATION_VISIBILITIES } from '../../../shared/descriptions/conversation';
import { attributesField } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';
import { readConversationId } from './conversationId';
import { CONVERSATION_STATUSES } from './statuses';

const CHOICES = {
	status: valuesOf(CONVERSATION_STATUSES),
	visibility: valuesOf(CONVERSATION_VISIBILITIES),
	accessibility: valuesOf(CONVERSATION_ACCESSIBILITIES),
};

export const fields: INodeProperties[] = [
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: showFor('conversation', ['update']),
		options: [
			{
				displayName: 'Accessibility',
				name: 'accessibility',
				type: 'options',
				default: 'open',
				options: CONVERSATION_ACCESSIBILITIES,
			},
			attributesField(undefined, 'Your own data on the conversation, such as a ticket ID; sent as text'),
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. Order 1234', description: 'On email channels, the subject' },
			{ displayName: 'Status', name: 'status', type: 'options', default: 'closed', options: CONVERSATION_STATUSES, description: 'Close a conversation, or open it again' },
			{
				displayName: 'Visibility',
				name: 'visibility',
				type: 'options',
				default: 'public',
				options: CONVERSATION_VISIBILITIES,
			},
		],
	},
];

/** `PATCH /workspaces/{ws}/conversations/{id}`: close or reopen it, rename it, and the rest Bird lets change. */
export const run = operation({
	readsOnly: false,
	prepare(input: ItemInput): { id: string; body: IDataObject } {
		const id = readConversationId(input);
		const body: IDataObject = {};
		for (const [name, fieldLabel] of [
			['status', 'Status'],
			['visibility', 'Visibility'],
			['accessibility', 'Accessibility'],
		] as const) {
			const value = input.choice(`updateFields.${name}`, `Update Fields › ${fieldLabel}`, CHOICES[name]);
			if (value) body[name] = value;
		}
		const name = input.param('updateFields.name', 'Update Fields › Name', { maxLength: 256, example: 'Order 1234' });
		if (name !== undefined) body.name = name;
		const description = input.param('updateFields.description', 'Update Fields › Description');
		if (description !== undefined) body.description = description;
		const attributes = readAttributes(input, 'updateFields.attributes', 'Update Fields › Attributes', { asText: true, examples: ['ticketId', '123'] });
		if (attributes) body.attributes = attributes;
		if (!Object.keys(body).length) input.fail({ label: 'Update Fields', path: 'updateFields' }, 'has nothing to change: add a field', 'Status: Closed');
		return { id, body };
	},
	async send({ id, body }, call) {
		const { json } = await call.write({ method: 'PATCH', url: `${WORKSPACE_PATH}/conversations/${segment(id)}`, body });
		return { json };
	},
});
