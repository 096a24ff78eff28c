/**
 * n8n's Simplify for Bird's larger objects: the fields a workflow usually needs, under the names
 * Bird uses. Off, the node outputs Bird's object as it came.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../../shared/validation';
import { showFor } from './show';

export function simplifyField(resource: string, operations: string[]): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
		displayOptions: showFor(resource, operations),
	};
}

export function readSimplify(input: ItemInput): boolean {
	return input.boolean('simplify', 'Simplify') !== false;
}

/** Keeps only the keys that have a value. */
function present(object: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null));
}

export function simplifyContact(contact: IDataObject): IDataObject {
	const identifiers = Array.isArray(contact.featuredIdentifiers)
		? contact.featuredIdentifiers
		: Array.isArray(contact.identifiers)
			? (contact.identifiers as IDataObject[]).map((identifier) => ({ key: identifier.key ?? identifier.identifierKey, value: identifier.value ?? identifier.identifierValue }))
			: undefined;
	return present({
		id: contact.id,
		displayName: contact.computedDisplayName ?? contact.displayName,
		identifiers,
		attributes: contact.attributes,
		listIds: contact.listIds,
		createdAt: contact.createdAt,
		updatedAt: contact.updatedAt,
	});
}

/** A message: who it was with, what it was, and how it fared (status, failure). */
export function simplifyMessage(message: IDataObject): IDataObject {
	const body = (message.body ?? {}) as IDataObject;
	const type = typeof body.type === 'string' ? body.type : message.template ? 'template' : undefined;
	const content = (type && body[type] ? body[type] : {}) as IDataObject;
	const sender = ((message.sender ?? {}) as IDataObject).contact as IDataObject | undefined;
	const receivers = ((message.receiver ?? {}) as IDataObject).contacts as IDataObject[] | undefined;
	const contact = message.direction === 'incoming' ? sender : (receivers?.[0] ?? sender);
	return present({
		id: message.id,
		channelId: message.channelId,
		direction: message.direction,
		status: message.status,
		contact: contact ? present({ id: contact.id, identifierKey: contact.identifierKey, identifierValue: contact.identifierValue }) : undefined,
		type,
		text: typeof content.text === 'string' ? content.text : undefined,
		template: message.template ? ((message.template as IDataObject).projectId ?? message.template) : undefined,
		reference: message.reference,
		batchId: message.batchId,
		failure: message.failure,
		reason: message.reason,
		createdAt: message.createdAt,
		updatedAt: message.updatedAt,
		lastStatusAt: message.lastStatusAt,
	});
}
