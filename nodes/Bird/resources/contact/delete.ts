import type { INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import type { ContactRef } from '../../shared/contactRef';
import { contactIdOf, readContact, segment } from '../../shared/contactRef';
import { contactLocator } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';

export const fields: INodeProperties[] = [contactLocator({ displayOptions: showFor('contact', ['delete']) })];

/** `DELETE /workspaces/{ws}/contacts/{id}`; the output names the contact deleted. */
export const run = operation({
	readsOnly: false,
	prepare: (input: ItemInput): ContactRef => readContact(input),
	async send(contact, call) {
		const id = await contactIdOf(call, contact);
		await call.write({ method: 'DELETE', url: `${WORKSPACE_PATH}/contacts/${segment(id)}` });
		return { json: { id, deleted: true } };
	},
});
