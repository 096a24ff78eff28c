/**
 * The one description of message content. Every node that sends a message spreads
 * `messageContentProperties(root)` into its properties: the Message Type options, each
 * type's fields (shown only for that type), and per option the routing that builds that
 * type's part of the request at `root` (`body`/`template` at the top for channel sends and
 * replies, under `initialMessage` for a new conversation).
 */
import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { itemInputFor } from '../item-input';
import { SHARED_FIELDS } from './shared-fields';
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

/** Where the message lives in the request body: at the top, or under `initialMessage`. */
export type MessageRoot = '' | 'initialMessage';

/** A preSend that builds one message type's part of the request for the current item. */
function buildContent(root: MessageRoot, type: MessageType) {
	return async function setMessageContent(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const content = type.build(itemInputFor(this));
		const body = (requestOptions.body ?? {}) as IDataObject;
		const target = root ? ((body[root] as IDataObject | undefined) ?? (body[root] = {})) : body;
		if (type.target === 'template') target.template = content;
		else target.body = { type: type.value, [type.value]: content };
		requestOptions.body = body;
		return requestOptions;
	};
}

export function messageContentProperties(root: MessageRoot): INodeProperties[] {
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
				routing: { send: { preSend: [buildContent(root, type)] } },
			}),
		),
	};

	const shared = (Object.keys(SHARED_FIELDS) as SharedFieldName[]).map((name) => ({
		...SHARED_FIELDS[name],
		displayOptions: shownFor(
			MESSAGE_TYPES.filter((type) => type.sharedFields?.includes(name)).map((type) => type.value),
		),
	}));

	const own = MESSAGE_TYPES.flatMap((type) =>
		(type.fields ?? []).map((field) => ({ ...field, displayOptions: shownFor([type.value]) })),
	);

	return [messageType, ...shared, ...own];
}
