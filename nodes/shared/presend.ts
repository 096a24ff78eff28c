/**
 * preSend steps shared by the sending nodes: each reads and checks one part of the item
 * and writes it into the request body, before anything is sent.
 */
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { itemInputFor } from './item-input';
import type { ItemInput } from './validation';

/** Values for the `{name}` placeholders of the request's path, such as `{channelId}`. */
export type PathParameters = Record<string, string>;

export type BodyStep = (input: ItemInput, body: IDataObject, path: PathParameters) => void;

/**
 * Wraps a step that fills the request body (and, once checked, the IDs in its path) into a
 * named preSend function. Paths are plain templates such as
 * `/workspaces/{workspaceId}/channels/{channelId}/messages`, not n8n expressions: every
 * expression costs an evaluation per item, and these values are read and checked here anyway.
 * `{workspaceId}` comes from the credential (see transport/request.ts).
 */
export function bodyStep(step: BodyStep) {
	return async function presend(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const body = (requestOptions.body ?? {}) as IDataObject;
		const path: PathParameters = {};
		step(itemInputFor(this), body, path);
		requestOptions.body = body;
		for (const [name, value] of Object.entries(path)) {
			requestOptions.url = requestOptions.url.replace(`{${name}}`, encodeURIComponent(value.trim()));
		}
		return requestOptions;
	};
}

/** A channel ID from the Channel picker, checked to be a UUID. */
export function readChannelId(input: ItemInput): string {
	return input.uuid(input.raw('channelId'), { label: 'Channel', path: 'channelId' }, { required: true }) as string;
}
