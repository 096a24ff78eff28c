import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import type { ContactRef } from '../../shared/contactRef';
import { contactIdOf, readContact, segment } from '../../shared/contactRef';
import { attributesField, listsField, readContactChanges } from '../../shared/fields';
import { CONTACT_IDENTIFIER_HINT, contactLocator } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';

const show = showFor('contact', ['update']);

export const fields: INodeProperties[] = [
	contactLocator({ displayOptions: show }),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Add Identifiers',
				name: 'addIdentifiers',
				type: 'string',
				default: '',
				placeholder: 'e.g. jane@example.com',
				description: `More identifiers for the contact, separated by commas. Each: ${CONTACT_IDENTIFIER_HINT}.`,
			},
			listsField('addToLists', 'Add to Lists', 'Contact lists the contact joins (at most 10)'),
			attributesField(undefined, 'Attributes to set; other attributes stay as they are'),
			{ displayName: 'Display Name', name: 'displayName', type: 'string', default: '', placeholder: 'e.g. Jane Doe' },
			{
				displayName: 'Remove Identifiers',
				name: 'removeIdentifiers',
				type: 'string',
				default: '',
				placeholder: 'e.g. +31687654321',
				description: 'Identifiers the contact no longer has, separated by commas',
			},
			listsField('removeFromLists', 'Remove From Lists', 'Contact lists the contact leaves (at most 10)'),
		],
	},
];

/** `PATCH /workspaces/{ws}/contacts/{id}` with what changes. */
export const run = operation({
	readsOnly: false,
	prepare(input: ItemInput): { contact: ContactRef; body: IDataObject } {
		const contact = readContact(input);
		const body = readContactChanges(input, {
			displayName: ['updateFields.displayName', 'Update Fields › Display Name'],
			attributes: ['updateFields.attributes', 'Update Fields › Attributes'],
			addIdentifiers: ['updateFields.addIdentifiers', 'Update Fields › Add Identifiers'],
			removeIdentifiers: ['updateFields.removeIdentifiers', 'Update Fields › Remove Identifiers'],
			addToLists: ['updateFields.addToLists', 'Update Fields › Add to Lists'],
			removeFromLists: ['updateFields.removeFromLists', 'Update Fields › Remove From Lists'],
		});
		if (!Object.keys(body).length) input.fail({ label: 'Update Fields', path: 'updateFields' }, 'has nothing to change: add a field', 'Display Name: Jane Doe');
		return { contact, body };
	},
	async send({ contact, body }, call) {
		const id = await contactIdOf(call, contact);
		const { json } = await call.write({ method: 'PATCH', url: `${WORKSPACE_PATH}/contacts/${segment(id)}`, body });
		return { json };
	},
});
