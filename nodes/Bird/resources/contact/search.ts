import type { INodeProperties } from 'n8n-workflow';

import { identifierFields, readIdentifierList } from '../../../shared/descriptions/recipients';
import type { ItemInput } from '../../../shared/validation';
import type { ContactIdentifier } from '../../shared/contactRef';
import { searchContacts } from '../../shared/contactRef';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';
import { readSimplify, simplifyContact, simplifyField } from '../../shared/simplify';

export const fields: INodeProperties[] = [
	...identifierFields({ valueLabel: 'Identifier', multiple: false, displayOptions: showFor('contact', ['search']) }),
	simplifyField('contact', ['search']),
];

/**
 * Bird's contact search, `POST /workspaces/{ws}/contacts/search` with `{identifier: {key, value}}`:
 * one output item per contact found, none when nobody has the identifier.
 */
export const run = operation({
	readsOnly: true,
	prepare(input: ItemInput): { identifier: ContactIdentifier; simplify: boolean } {
		const [{ identifierKey, identifierValue }] = readIdentifierList(input, 'identifierValue', 'Identifier', { required: true, max: 1 });
		return { identifier: { key: identifierKey, value: identifierValue }, simplify: readSimplify(input) };
	},
	async send({ identifier, simplify }, call) {
		const found = await searchContacts(call, identifier);
		return { json: {}, each: simplify ? found.map(simplifyContact) : found };
	},
});
