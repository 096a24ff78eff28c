/**
 * preSend steps shared by the sending nodes: each reads and checks one part of the item
 * and writes it into the request body, before anything is sent.
 */
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { itemInputFor } from './item-input';
import type { ItemInput } from './validation';

export type BodyStep = (input: ItemInput, body: IDataObject) => void;

/** Wraps a step that fills the request body into a named preSend function. */
export function bodyStep(step: BodyStep) {
	return async function presend(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const body = (requestOptions.body ?? {}) as IDataObject;
		step(itemInputFor(this), body);
		requestOptions.body = body;
		return requestOptions;
	};
}

/** A channel ID from the Channel picker, checked to be a UUID. */
export function readChannelId(input: ItemInput): string {
	return input.uuid(input.raw('channelId'), { label: 'Channel', path: 'channelId' }, { required: true }) as string;
}
