import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ItemResult } from './executor';
import type { DeliverySettings } from './transport/request';
import { birdRequest, responseJson } from './transport/request';

/** The Bird request an item becomes; `url` may hold `{workspaceId}`, which the transport fills in. */
export interface ItemRequest extends IHttpRequestOptions {
	/** Bird limits reads and writes separately; a POST that only reads says so. */
	kind?: 'read' | 'write';
}

/** One request per item, through the paced, retrying transport; the item's output is Bird's answer. */
export function oneRequestEach(context: IExecuteFunctions, settings: DeliverySettings) {
	return async (request: ItemRequest, itemIndex: number, halted: () => boolean): Promise<ItemResult> => {
		const { kind, ...options } = request;
		const response = await birdRequest(context, options, { itemIndex, settings, kind, halted });
		return { json: responseJson(response) };
	};
}
