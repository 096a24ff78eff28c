/**
 * What every operation of Bird Channels is: `prepare` reads and checks one item's parameters and
 * sends nothing (the executor runs it for every item first in Stop mode), `send` does the item's
 * requests through `BirdCall`, the one way this node reaches Bird (the package's paced, retrying
 * transport).
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import type { ItemResult } from '../../shared/executor';
import type { DeliverySettings } from '../../shared/transport/request';
import { birdRequest, readJson, responseJson } from '../../shared/transport/request';
import type { ItemInput } from '../../shared/validation';

/** One item's way to Bird: its index (for errors), the node's Delivery settings, and the Stop check. */
export class BirdCall {
	constructor(
		readonly context: IExecuteFunctions,
		readonly itemIndex: number,
		readonly settings: DeliverySettings,
		readonly halted: () => boolean,
	) {}

	/**
	 * A request that changes nothing (a GET, or contact search's POST): paced as a read, repeated
	 * freely on a broken connection, and an answer that is not JSON fails the item.
	 */
	async read(options: IHttpRequestOptions): Promise<IDataObject> {
		const response = await birdRequest(this.context, options, { itemIndex: this.itemIndex, settings: this.settings, kind: 'read', halted: this.halted });
		return readJson(this.context, response, this.itemIndex);
	}

	/** A request that changes something: never repeated once it may have reached Bird. The status tells created from updated. */
	async write(options: IHttpRequestOptions): Promise<{ statusCode: number; json: IDataObject }> {
		const response = await birdRequest(this.context, options, { itemIndex: this.itemIndex, settings: this.settings, kind: 'write', halted: this.halted });
		return { statusCode: response.statusCode, json: responseJson(response) };
	}
}

export interface Operation<P> {
	/**
	 * True when the operation only reads: its Delivery options are a read's, and n8n's Retry On
	 * Fail may run it again (the executor's `readsOnly`).
	 */
	readsOnly: boolean;
	prepare(input: ItemInput): P;
	send(prepared: P, call: BirdCall): Promise<ItemResult>;
}

/** An operation as the node's table of operations holds it (each keeps its own prepared type). */
export type AnyOperation = Operation<unknown>;

export function operation<P>(definition: Operation<P>): AnyOperation {
	return definition as unknown as AnyOperation;
}
