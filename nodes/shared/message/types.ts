import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ItemInput } from '../validation';

/** Fields that several message types show; each type lists the ones it uses. */
export type SharedFieldName = 'text' | 'actions';

export interface MessageType {
	/** The stored value of the Message Type parameter and the Bird body type. */
	value: string;
	name: string;
	/** What the type is called in a sentence: "Send HTML email", "Reply with location". */
	noun: string;
	description: string;
	/** `body` puts `{type, [value]: content}` in the message body; `template` sends `template` instead. */
	target: 'body' | 'template';
	sharedFields?: SharedFieldName[];
	/**
	 * For types with the shared Text field: what it is for in this type, and an example; its label
	 * when "Text" would mislead, and `last` when it belongs after the type's own fields (an
	 * email's plain-text part comes after its subject and HTML).
	 */
	text?: { placeholder: string; description: string; required?: boolean; displayName?: string; last?: boolean };
	/** This type's own fields. Parameter names must be unique across all types. */
	fields?: INodeProperties[];
	/**
	 * Reads and checks this type's fields for one item and returns its part of the request. Media
	 * from binary data appears as BinaryMedia placeholders, uploaded when the item is sent.
	 */
	build(input: ItemInput): IDataObject | Promise<IDataObject>;
}
