/**
 * How declarative nodes hand their requests to `birdRequest`.
 *
 * n8n's routing builds each item's request from the node's fields (routing.send, preSend)
 * and then, for a request marked `paginate`, calls the node's `requestOperations.pagination`
 * function with the finished request instead of sending it itself. Our "pagination" is a
 * single page: the request goes out once, paced and retried by `birdRequest`. So the field
 * options stay the only description of the request, and pacing and retries live in one place.
 */
import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { deliveryOptions, readDelivery } from '../descriptions/delivery';
import { birdRequest, responseJson } from './request';

export async function sendThroughBird(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const itemIndex = this.getItemIndex();
	const response = await birdRequest(this, requestData.options as IHttpRequestOptions, {
		itemIndex,
		settings: readDelivery(this.getNodeParameter('delivery', {})),
	});
	return [{ json: responseJson(response), pairedItem: { item: itemIndex } }];
}

/** The Delivery options of a declarative node; selecting it routes every request through `sendThroughBird`. */
export const routedDeliveryOptions: INodeProperties = {
	...deliveryOptions('write'),
	routing: { send: { paginate: true } },
};
