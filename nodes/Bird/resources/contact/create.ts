import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import { readAttributes } from '../../../shared/descriptions/attributes';
import { attributesField, listsField, readIdentifierTexts, readListIds } from '../../shared/fields';
import { CONTACT_IDENTIFIER_HINT } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';

const show = showFor('contact', ['create']);

export const fields: INodeProperties[] = [
	{
		displayName: 'Display Name',
		name: 'displayName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Jane Doe',
		displayOptions: show,
	},
	{
		displayName: 'Identifiers',
		name: 'identifiers',
		type: 'string',
		default: '',
		placeholder: 'e.g. +31612345678, jane@example.com',
		description: `How Bird recognises and reaches the contact, separated by commas. Each: ${CONTACT_IDENTIFIER_HINT}. Bird refuses an identifier another contact already has (409).`,
		displayOptions: show,
	},
	attributesField(show, "The contact's attributes, such as firstName or a custom attribute of your workspace"),
	{ ...listsField('listIds', 'Lists', 'Contact lists the new contact joins (at most 10)'), displayOptions: show },
];

/** `POST /workspaces/{ws}/contacts`: a new contact; Bird answers 201 with it. */
export const run = operation({
	readsOnly: false,
	prepare(input: ItemInput): IDataObject {
		const body: IDataObject = { displayName: (input.param('displayName', 'Display Name', { required: true, maxLength: 150, example: 'Jane Doe' }) as string).trim() };
		const identifiers = readIdentifierTexts(input, 'identifiers', 'Identifiers');
		if (identifiers.length) body.identifiers = identifiers;
		const attributes = readAttributes(input, 'attributes', 'Attributes');
		if (attributes) body.attributes = attributes;
		const listIds = readListIds(input, 'listIds', 'Lists');
		if (listIds) body.listIds = listIds;
		return body;
	},
	async send(body, call) {
		const { json } = await call.write({ method: 'POST', url: `${WORKSPACE_PATH}/contacts`, body });
		return { json };
	},
});
