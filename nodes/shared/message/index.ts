/**
 * The one description of message content. Every node that sends a message spreads
 * `messageContentProperties()` into its properties: the Message Type options and each type's
 * fields, shown only for that type. `buildMessageContent` reads and checks an item's fields of
 * the chosen type and returns its part of the request: `body` or `template`, which each node
 * places where its request wants it (at the top, or under `initialMessage`).
 */
import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { ItemInput } from '../validation';
import { SHARED_FIELDS } from './shared-fields';
import { smartSendProperties } from './smartSend';
import type { MessageType, SharedFieldName } from './types';
import { carousel } from './types/carousel';
import { file } from './types/file';
import { html } from './types/html';
import { image } from './types/image';
import { list } from './types/list';
import { location } from './types/location';
import { template } from './types/template';
import { text } from './types/text';

export type { MessageType } from './types';
export type { SmartSend, SmartSendOutcome, WindowContact } from './smartSend';
export { applySmartSend, readSmartSend } from './smartSend';

/** Every message type, in the order the Message Type menu shows them. */
export const MESSAGE_TYPES: readonly MessageType[] = [
	text,
	image,
	file,
	location,
	list,
	carousel,
	template,
	html,
];

/** A message's content: `{ body: { type, [type]: … } }` or `{ template: … }`. */
export type MessageContent = { body: IDataObject } | { template: IDataObject };

/** Reads and checks one item's message fields and builds its content. */
export async function buildMessageContent(input: ItemInput): Promise<MessageContent> {
	const value = input.param('messageType', 'Message Type') ?? 'text';
	const type = MESSAGE_TYPES.find((candidate) => candidate.value === value);
	if (!type) {
		return input.fail({ label: 'Message Type', path: 'messageType' }, `"${value}" is not a message type`, MESSAGE_TYPES.map((t) => t.value).join(', '));
	}
	const content = await type.build(input);
	return type.target === 'template' ? { template: content } : { body: { type: type.value, [type.value]: content } };
}

export function messageContentProperties(): INodeProperties[] {
	const shownFor = (values: string[]) => ({ show: { messageType: values } });

	const messageType: INodeProperties = {
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		default: 'text',
		options: MESSAGE_TYPES.map(
			(type): INodePropertyOptions => ({
				name: type.name,
				value: type.value,
				description: type.description,
			}),
		),
	};

	// Shared fields appear once for the types that use them; Text once per type, with its own
	// placeholder and description (a caption, a list's question, an email's plain part…).
	const textOf = (type: MessageType): INodeProperties => {
		const own: Partial<NonNullable<MessageType['text']>> = { ...type.text };
		delete own.last;
		return { ...SHARED_FIELDS.text, ...own, displayOptions: shownFor([type.value]) } as INodeProperties;
	};
	const shared = (Object.keys(SHARED_FIELDS) as SharedFieldName[]).flatMap((name) => {
		const types = MESSAGE_TYPES.filter((type) => type.sharedFields?.includes(name));
		if (name !== 'text') return [{ ...SHARED_FIELDS[name], displayOptions: shownFor(types.map((type) => type.value)) }];
		return types.filter((type) => !type.text?.last).map(textOf);
	});
	const late = MESSAGE_TYPES.filter((type) => type.sharedFields?.includes('text') && type.text?.last).map(textOf);

	// A field may have conditions of its own (a node version); the Message Type is added to them.
	const own = MESSAGE_TYPES.flatMap((type) =>
		(type.fields ?? []).map((field) => ({
			...field,
			displayOptions: { ...field.displayOptions, show: { ...field.displayOptions?.show, ...shownFor([type.value]).show } },
		})),
	);

	return [messageType, ...shared, ...own, ...late];
}

/** Smart send's fields (Send Message, Reply): shown for every message type but Template. */
export function smartSendFields(): INodeProperties[] {
	return smartSendProperties(MESSAGE_TYPES.filter((type) => type.target === 'body').map((type) => type.value));
}

/** A node's canvas subtitle in words, from its verb: "Send HTML email", "Reply with location". */
export function messageSubtitle(verb: string): string {
	const phrases = Object.fromEntries(MESSAGE_TYPES.map((type) => [type.value, `${verb} ${type.noun}`]));
	return `={{ (${JSON.stringify(phrases)})[$parameter["messageType"]] || "${verb} a message" }}`;
}
