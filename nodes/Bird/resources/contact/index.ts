import type { INodeProperties } from 'n8n-workflow';

import type { AnyOperation } from '../../shared/operation';
import * as addToList from './addToList';
import * as create from './create';
import * as deleteContact from './delete';
import * as get from './get';
import * as getAll from './getAll';
import * as removeFromList from './removeFromList';
import * as search from './search';
import * as update from './update';
import * as upsert from './upsert';

/** Bird's Contacts API: contacts, their identifiers and attributes, and their lists. */
export const contactOperations: Record<string, AnyOperation> = {
	addToList: addToList.run,
	create: create.run,
	delete: deleteContact.run,
	get: get.run,
	getAll: getAll.run,
	removeFromList: removeFromList.run,
	search: search.run,
	update: update.run,
	upsert: upsert.run,
};

export const contactDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{ name: 'Add to List', value: 'addToList', action: 'Add a contact to a list', description: 'Add a contact to a contact list' },
			{ name: 'Create', value: 'create', action: 'Create a contact', description: 'Create a new contact' },
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a contact by identifier',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
			},
			{ name: 'Delete', value: 'delete', action: 'Delete a contact', description: 'Delete a contact' },
			{ name: 'Get', value: 'get', action: 'Get a contact', description: 'Get a contact by ID or identifier' },
			{ name: 'Get Many', value: 'getAll', action: 'Get many contacts', description: "Get the workspace's contacts" },
			{ name: 'Remove From List', value: 'removeFromList', action: 'Remove a contact from a list', description: 'Remove a contact from a contact list' },
			{ name: 'Search', value: 'search', action: 'Search contacts by identifier', description: 'Find the contacts with a phone number, email address or other identifier' },
			{ name: 'Update', value: 'update', action: 'Update a contact', description: "Change a contact's name, attributes, identifiers or lists" },
		],
		default: 'upsert',
	},
	...upsert.fields,
	...create.fields,
	...get.fields,
	...search.fields,
	...getAll.fields,
	...update.fields,
	...deleteContact.fields,
	...addToList.fields,
	...removeFromList.fields,
];
