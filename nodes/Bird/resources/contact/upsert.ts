import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import { identifierFields, readIdentifierList } from '../../../shared/descriptions/recipients';
import type { ItemInput } from '../../../shared/validation';
import { segment } from '../../shared/contactRef';
import { attributesField, listsField, readContactChanges } from '../../shared/fields';
import { CONTACT_IDENTIFIER_HINT } from '../../shared/locators';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';

const show = showFor('contact', ['upsert']);

const STRATEGIES = ['strict_alias', 'first_alias', 'first'];

export const fields: INodeProperties[] = [
	...identifierFields({ valueLabel: 'Identifier', multiple: false, displayOptions: show }),
	{
		displayName: 'Display Name',
		name: 'displayName',
		type: 'string',
		default: '',
		placeholder: 'e.g. Jane Doe',
		description: 'Empty leaves the name as it is',
		displayOptions: show,
	},
	attributesField(show, 'Attributes to set; other attributes stay as they are'),
	{
		displayName: 'Options',
		name: 'upsertOptions',
		type: 'collection',
		placeholder: 'Add Option',
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
			{
				displayName: 'Remove Identifiers',
				name: 'removeIdentifiers',
				type: 'string',
				default: '',
				placeholder: 'e.g. +31687654321',
				description: 'Identifiers the contact no longer has, separated by commas',
			},
			listsField('removeFromLists', 'Remove From Lists', 'Contact lists the contact leaves (at most 10)'),
			{
				displayName: 'Strategy',
				name: 'strategy',
				type: 'options',
				default: 'strict_alias',
				description: 'What Bird does when the identifiers belong to different contacts',
				options: [
					{ name: 'Strict Alias', value: 'strict_alias', description: 'All identifiers must match one contact, or Bird refuses; the others are added to it' },
					{ name: 'First Alias', value: 'first_alias', description: 'The first identifier that matches wins; the others are added where possible' },
					{ name: 'First', value: 'first', description: 'The first identifier that matches wins; nothing else is added' },
				],
			},
		],
	},
];

interface Upsert {
	key: string;
	value: string;
	body: IDataObject;
}

/**
 * Bird's upsert, `PATCH /workspaces/{ws}/contacts/identifiers/{key}/{value}`: it answers 200 when
 * it updated a contact and 201 when it created one; the output says which (`created`).
 */
export const run = operation({
	readsOnly: false,
	prepare(input: ItemInput): Upsert {
		const [{ identifierKey, identifierValue }] = readIdentifierList(input, 'identifierValue', 'Identifier', { required: true, max: 1 });
		const body = readContactChanges(input, {
			displayName: ['displayName', 'Display Name'],
			attributes: ['attributes', 'Attributes'],
			addIdentifiers: ['upsertOptions.addIdentifiers', 'Options › Add Identifiers'],
			removeIdentifiers: ['upsertOptions.removeIdentifiers', 'Options › Remove Identifiers'],
			addToLists: ['upsertOptions.addToLists', 'Options › Add to Lists'],
			removeFromLists: ['upsertOptions.removeFromLists', 'Options › Remove From Lists'],
		});
		const strategy = input.choice('upsertOptions.strategy', 'Options › Strategy', STRATEGIES, 'strict_alias');
		if (strategy) body.strategy = strategy;
		return { key: identifierKey, value: identifierValue, body };
	},
	async send({ key, value, body }, call) {
		const { statusCode, json } = await call.write({ method: 'PATCH', url: `${WORKSPACE_PATH}/contacts/identifiers/${segment(key)}/${segment(value)}`, body });
		return { json: { ...json, created: statusCode === 201 } };
	},
});
