import type { INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import type { ContactRef } from '../../shared/contactRef';
import { contactIdOf, readContact, segment } from '../../shared/contactRef';
import { contactLocator } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';
import { readSimplify, simplifyContact, simplifyField } from '../../shared/simplify';

export const fields: INodeProperties[] = [
	contactLocator({ displayOptions: showFor('contact', ['get']), description: 'The contact: from the list, by ID, or by a phone number, email address or other identifier' }),
	simplifyField('contact', ['get']),
];

/** `GET /workspaces/{ws}/contacts/{id}`; a contact given by identifier is found with Bird's contact search first. */
export const run = operation({
	readsOnly: true,
	prepare: (input: ItemInput): { contact: ContactRef; simplify: boolean } => ({ contact: readContact(input), simplify: readSimplify(input) }),
	async send({ contact, simplify }, call) {
		const id = await contactIdOf(call, contact);
		const json = await call.read({ method: 'GET', url: `${WORKSPACE_PATH}/contacts/${segment(id)}` });
		return { json: simplify ? simplifyContact(json) : json };
	},
});
