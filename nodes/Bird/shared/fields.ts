/**
 * Fields several operations share, with their readers: attributes (key and value rows, read by
 * shared/descriptions/attributes.ts), comma-separated identifiers and list IDs, a contact's changes.
 */
import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import type { FieldRef, ItemInput } from '../../shared/validation';
import { EXAMPLES, PATTERNS } from '../../shared/validation';
import { readAttributes } from '../../shared/descriptions/attributes';
import type { ContactIdentifier } from './contactRef';
import { parseIdentifier } from './contactRef';

/** Key and value rows. */
export function attributesField(displayOptions: IDisplayOptions | undefined, description: string): INodeProperties {
	return {
		displayName: 'Attributes',
		name: 'attributes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Attribute' },
		default: {},
		placeholder: 'Add Attribute',
		description,
		displayOptions,
		options: [
			{
				displayName: 'Attribute',
				name: 'attribute',
				values: [
					{ displayName: 'Key', name: 'key', type: 'string', default: '', placeholder: 'e.g. firstName' },
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. Jane',
						description: 'Sent as text; an expression that gives a number, true/false or a list sends that instead',
					},
				],
			},
		],
	};
}

/**
 * Text or a list from an expression, as separate trimmed entries. An object (a whole item or
 * contact mapped by mistake) is refused by name rather than read as "[object Object]".
 */
function listOf(input: ItemInput, value: unknown, field: FieldRef, example: string): string[] {
	const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : value === undefined || value === null ? [] : [value];
	return parts
		.map((part) => {
			if (part !== null && typeof part === 'object') input.fail(field, `${JSON.stringify(part).slice(0, 80)} is an object, not text: give text separated by commas or a list of text`, example);
			return part === null || part === undefined ? '' : String(part).trim();
		})
		.filter(Boolean);
}

/** Identifiers written as text, separated by commas: phone numbers, email addresses, key:value. */
export function readIdentifierTexts(input: ItemInput, path: string, label: string): ContactIdentifier[] {
	return listOf(input, input.raw(path), { label, path }, EXAMPLES.e164).map((text) => parseIdentifier(input, text, { label, path }));
}

/** List IDs (a multi-select, or IDs separated by commas from an expression); Bird takes at most `max` per request. */
export function readListIds(input: ItemInput, path: string, label: string, max = 10): string[] | undefined {
	const ids = listOf(input, input.raw(path), { label, path }, EXAMPLES.uuid);
	if (!ids.length) return undefined;
	if (ids.length > max) input.fail({ label, path }, `has ${ids.length} lists; Bird takes at most ${max} at once`, EXAMPLES.uuid);
	for (const id of ids) if (!PATTERNS.uuid.test(id)) input.fail({ label, path }, `"${id}" is not a list ID (a UUID)`, EXAMPLES.uuid);
	return ids;
}

/** Where each change of a contact is read from: a parameter's path and its label. */
export type ContactChangeFields = Record<'displayName' | 'attributes' | 'addIdentifiers' | 'removeIdentifiers' | 'addToLists' | 'removeFromLists', [path: string, label: string]>;

/** The body of Bird's contact PATCH (Update, and Create or Update by identifier): only what is set. */
export function readContactChanges(input: ItemInput, at: ContactChangeFields): IDataObject {
	const body: IDataObject = {};
	const displayName = input.param(at.displayName[0], at.displayName[1], { maxLength: 150, example: 'Jane Doe' })?.trim();
	if (displayName) body.displayName = displayName;
	const attributes = readAttributes(input, ...at.attributes);
	if (attributes) body.attributes = attributes;
	const add = readIdentifierTexts(input, ...at.addIdentifiers);
	if (add.length) body.addIdentifiers = add;
	const remove = readIdentifierTexts(input, ...at.removeIdentifiers);
	if (remove.length) body.removeIdentifiers = remove;
	const addToLists = readListIds(input, ...at.addToLists);
	if (addToLists) body.addToLists = addToLists;
	const removeFromLists = readListIds(input, ...at.removeFromLists);
	if (removeFromLists) body.removeFromLists = removeFromLists;
	return body;
}

/** A multi-select of the workspace's contact lists. */
export function listsField(name: string, displayName: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getLists' },
		default: [],
		description: `${description}. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}
