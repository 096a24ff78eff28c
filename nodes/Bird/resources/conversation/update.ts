import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { attributesField, readAttributes } from '../../shared/fields';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';
import { readConversationId } from './conversationId';
import { CONVERSATION_STATUSES } from './statuses';

const CHOICES = {
	status: CONVERSATION_STATUSES.map((option) => option.value),
	visibility: ['public', 'private'],
	accessibility: ['open', 'invite-only', 'request-to-join'],
} as const;

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
				options: [
					{ name: 'Open', value: 'open', description: 'Anyone in the workspace can join' },
					{ name: 'Invite Only', value: 'invite-only' },
					{ name: 'Request to Join', value: 'request-to-join' },
				],
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
				options: [
					{ name: 'Public', value: 'public', description: 'Visible to everyone in the workspace' },
					{ name: 'Private', value: 'private', description: 'Visible to its participants only' },
				],
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
			const value = input.param(`updateFields.${name}`, `Update Fields › ${fieldLabel}`)?.trim();
			const allowed: readonly string[] = CHOICES[name];
			if (value && !allowed.includes(value)) input.fail({ label: `Update Fields › ${fieldLabel}`, path: `updateFields.${name}` }, `"${value}" is not one of ${allowed.join(', ')}`, allowed[0]);
			if (value) body[name] = value;
		}
		const name = input.param('updateFields.name', 'Update Fields › Name', { maxLength: 256, example: 'Order 1234' });
		if (name !== undefined) body.name = name;
		const description = input.param('updateFields.description', 'Update Fields › Description');
		if (description !== undefined) body.description = description;
		const attributes = readAttributes(input, 'updateFields.attributes', 'Update Fields › Attributes', true);
		if (attributes) body.attributes = attributes;
		if (!Object.keys(body).length) input.fail({ label: 'Update Fields', path: 'updateFields' }, 'has nothing to change: add a field', 'Status: Closed');
		return { id, body };
	},
	async send({ id, body }, call) {
		const { json } = await call.write({ method: 'PATCH', url: `${WORKSPACE_PATH}/conversations/${segment(id)}`, body });
		return { json };
	},
});
