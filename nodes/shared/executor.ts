/**
 * How every node of this package that acts on items runs them (Send Message, Create
 * Conversation, Reply, Check Service Window): one programmatic executor under the nodes'
 * declarative field descriptions.
 *
 * For each input item it reads the item's parameters once (`prepare`, which also checks them and
 * throws the item's error before anything is sent) and hands the result to `send`, which talks
 * to Bird through the paced, retrying transport. Items are handed over as soon as they are
 * ready, and the executor lets the event loop run between them, so that preparing later items
 * and sending earlier ones overlap. Results come back in input order, one per item, each with
 * `pairedItem`.
 *
 * On Error:
 * - Continue (regular or error output): every item ends in its own output item or error item,
 *   which keeps the input item's fields beside `error`. On the regular output the executor puts
 *   them there, with `errorDetails` (the description, HTTP code, and Bird's code and field
 *   details). For the error output n8n does it: it moves items whose JSON is `{error}` alone
 *   there and merges the paired input item into them; n8n before 2.36 routes no other key, so
 *   `errorDetails` stays off that output. (n8n replaces the JSON of any item that carries an
 *   `error` object with `{error}`, so error items carry JSON only.)
 * - Stop: every item is prepared first, so that bad input anywhere stops the node before
 *   anything is sent. Once sending has begun, the first item Bird refuses stops the rest from
 *   going out; the error names that item and says how many were sent.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { itemInputs } from './item-input';
import { NotSent } from './transport/errors';
import type { ItemInput } from './validation';
import { panelText, plainText } from './validation';

/** What one item became: its JSON, and the output it goes to (0 unless the node has several). */
export interface ItemResult {
	json: IDataObject;
	output?: number;
	binary?: INodeExecutionData['binary'];
}

export interface ItemRunner<P> {
	/** Reads and checks one item's parameters; throws that item's error. Sends nothing. */
	prepare(input: ItemInput, itemIndex: number): P | Promise<P>;
	/**
	 * Does the item's work. `halted` turns true once the node is stopping: work that has not
	 * reached Bird yet should then throw NotSent instead of sending.
	 */
	send(prepared: P, itemIndex: number, halted: () => boolean): Promise<ItemResult>;
	/** Called once every item has been handed to `send` (for senders that collect items). */
	flush?(): void | Promise<void>;
	/** How many outputs the node has (default 1). */
	outputs?: number;
}

/** Lets timers and network callbacks run every few milliseconds during a long loop. */
function breather(): () => Promise<void> {
	let last = Date.now();
	return async () => {
		if (Date.now() - last < 8) return;
		await sleep(0);
		last = Date.now();
	};
}

const asNodeError = (context: IExecuteFunctions, error: unknown, itemIndex: number) =>
	error instanceof NodeApiError || error instanceof NodeOperationError
		? error
		: new NodeOperationError(context.getNode(), error as Error, { itemIndex });

/** What a retry branch needs to know about an item's error, beyond its message. */
function errorDetails(error: NodeApiError | NodeOperationError): IDataObject {
	const response = ((error as NodeApiError).errorResponse ?? {}) as IDataObject;
	// The description is written for n8n's error panel (HTML); an item's JSON gets plain text.
	const details: IDataObject = { description: plainText(error.description ?? '') };
	if ((error as NodeApiError).httpCode) details.httpCode = (error as NodeApiError).httpCode;
	if (response.code) details.code = response.code;
	if (response.details) details.details = response.details;
	return details;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * What Stop mode's error adds when a node with several items stops: which item, counted from 0
 * as n8n's `$itemIndex` and its `[item N]` do, what was done and what was not sent. One item
 * needs no summary.
 */
export function stopSummary(itemIndex: number, total: number, done: number, notSent: number): string {
	if (total === 1) return '';
	return `Item ${itemIndex} of ${total} failed (items count from 0, as n8n's $itemIndex does). ${count(done, 'item')} ${done === 1 ? 'was' : 'were'} done before the node stopped and ${notSent} ${notSent === 1 ? 'was' : 'were'} not sent. With On Error › Continue, every item gets its own result.`;
}

export async function runItems<P>(context: IExecuteFunctions, runner: ItemRunner<P>): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const input = itemInputs(context);
	const continueOnFail = context.continueOnFail();
	const breathe = breather();
	const results: Array<Promise<ItemResult>> = new Array(items.length);
	let stopping = false;
	const halted = () => stopping;
	const hand = (promise: Promise<ItemResult>, itemIndex: number) => {
		results[itemIndex] = promise;
		promise.catch(() => {
			// Stop mode: nothing more goes out after a failure. (The rejection itself is read below.)
			if (!continueOnFail) stopping = true;
		});
	};

	/** Prepares one item; every field it found wrong is in the one error it throws. */
	const prepare = async (itemIndex: number): Promise<P> => {
		const item = input(itemIndex);
		let prepared: P;
		try {
			prepared = await runner.prepare(item, itemIndex);
		} catch (error) {
			throw item.settle(error);
		}
		const failed = item.settle();
		if (failed) throw failed;
		return prepared;
	};

	if (continueOnFail) {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				hand(runner.send(await prepare(itemIndex), itemIndex, halted), itemIndex);
			} catch (error) {
				hand(Promise.reject(error), itemIndex);
			}
			await breathe();
		}
	} else {
		// Every item is read and checked before the first one is sent.
		const prepared: P[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			prepared.push(await prepare(itemIndex));
			await breathe();
		}
		for (let itemIndex = 0; itemIndex < items.length && !stopping; itemIndex++) {
			hand(runner.send(prepared[itemIndex], itemIndex, halted), itemIndex);
			await breathe();
		}
	}
	await runner.flush?.();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		if (!results[itemIndex]) hand(Promise.reject(new NotSent(context.getNode())), itemIndex);
	}
	const settled = await Promise.allSettled(results);

	if (!continueOnFail) {
		const failures = settled.flatMap((outcome, itemIndex) =>
			outcome.status === 'rejected' && !(outcome.reason instanceof NotSent) ? [{ itemIndex, reason: outcome.reason as unknown }] : [],
		);
		if (failures.length) {
			const [{ itemIndex, reason }] = failures;
			const error = asNodeError(context, reason, itemIndex);
			const done = settled.filter((outcome) => outcome.status === 'fulfilled').length;
			error.description = panelText(plainText(error.description ?? ''), stopSummary(itemIndex, items.length, done, items.length - done - failures.length));
			throw error;
		}
	}

	const errorOutput = context.getNode().onError === 'continueErrorOutput';
	const outputs: INodeExecutionData[][] = Array.from({ length: runner.outputs ?? 1 }, () => []);
	settled.forEach((outcome, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (outcome.status === 'fulfilled') {
			const { json, output = 0, binary } = outcome.value;
			outputs[output].push(binary ? { json, binary, pairedItem } : { json, pairedItem });
			return;
		}
		const error = asNodeError(context, outcome.reason, itemIndex);
		outputs[0].push({ json: errorOutput ? { error: error.message } : { ...items[itemIndex].json, error: error.message, errorDetails: errorDetails(error) }, pairedItem });
	});
	return outputs;
}
