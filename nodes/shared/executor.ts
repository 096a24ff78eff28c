/**
 * How every node of this package that acts on items runs them (Send Message, Create
 * Conversation, Reply, Check Service Window): one programmatic executor under the nodes'
 * declarative field descriptions.
 *
 * For each input item it reads the item's parameters once (`prepare`, which also checks them and
 * throws the item's error before anything is sent) and hands the result to `send`, which talks
 * to Bird through the paced, retrying transport. Items are handed over as soon as they are
 * ready, and the executor lets the event loop run between them, so that preparing later items
 * and sending earlier ones overlap. Results come back in input order, one per item (a list read
 * may give an item several, or none: `ItemResult.each`), each with `pairedItem`.
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
import { isUncertain, markUncertain, NotSent } from './transport/errors';
import { KeyedRegistry } from './transport/pacing';
import type { ItemInput } from './validation';
import { panelText, plainText } from './validation';

/** What one item became: its JSON, and the output it goes to (0 unless the node has several). */
export interface ItemResult {
	json: IDataObject;
	output?: number;
	binary?: INodeExecutionData['binary'];
	/**
	 * For reads that list (Return All / Limit): the item becomes these output items, in this order,
	 * each paired with it, and `json` is not output. An empty list outputs nothing for the item.
	 */
	each?: IDataObject[];
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
	/**
	 * True for runners that only read (Check Service Window): n8n's Retry On Fail may run them
	 * again freely. Every other runner changes something in Bird, and an item that reached Bird
	 * (or may have) is never sent again within the same execution (see `FirstOutcomes`).
	 */
	readsOnly?: boolean;
	/** Runs the first input item only (Send and Wait: one question per execution, as n8n's own nodes send). */
	onlyFirstItem?: boolean;
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

/**
 * What n8n's Retry On Fail must not send twice. n8n runs a node again, with the same input,
 * when it throws and Retry On Fail is ticked: in Stop mode that is every time Bird refuses one
 * item, after the items before it went out. Per execution, node, run (a loop's next round is a
 * new run) and item, the first outcome of an item that reached Bird is kept in this process
 * (n8n retries in the process that ran the node, queue mode's workers included): a rerun hands
 * back that item's first result instead of sending it again, and refuses to send an item whose
 * first try may have arrived (no answer) rather than guess. Items Bird refused, and items never
 * sent, go out again: that is what the retry is for. Kept for 30 minutes after the node last ran.
 */
type FirstOutcome = { sent: ItemResult } | { uncertain: string };
const firstOutcomes = new KeyedRegistry<Map<number, FirstOutcome>>(30 * 60_000);

function outcomesOf(context: IExecuteFunctions, runner: ItemRunner<unknown>): Map<number, FirstOutcome> | undefined {
	if (runner.readsOnly) return undefined;
	const executionId = context.getExecutionId();
	if (!executionId) return undefined;
	const run = context.getWorkflowDataProxy(0).$runIndex;
	return firstOutcomes.get(`${executionId}|${context.getNode().name}|${String(run)}`, () => new Map());
}

/** The error of an item whose first try may have reached Bird, on n8n's retry of the node. */
function notSentAgain(context: IExecuteFunctions, itemIndex: number, first: string): NodeApiError {
	const message = 'Not sent again: the first try may already have reached Bird';
	const error = new NodeApiError(context.getNode(), { message }, {
		message,
		description: panelText(
			`n8n ran the node again (Retry On Fail). On the first try this item got no answer from Bird: ${first}`,
			'A message must never go out twice, so it was not sent again. Check in Bird whether it arrived before you send it yourself.',
		),
		itemIndex,
	});
	markUncertain(error);
	return error;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * What Stop mode's error adds when a node with several items stops: which item, counted from 0
 * as n8n's `$itemIndex` and its `[item N]` do, what was done and what was not sent. One item
 * needs no summary.
 */
export function stopSummary(itemIndex: number, total: number, done: number, notSent: number): string {
	if (total === 1) return '';
	return `Item ${itemIndex} of ${total} failed (items count from 0, as n8n's $itemIndex does). ${plural(done, 'item')} ${done === 1 ? 'was' : 'were'} done before the node stopped and ${notSent} ${notSent === 1 ? 'was' : 'were'} not sent. With On Error › Continue, every item gets its own result.`;
}

export async function runItems<P>(context: IExecuteFunctions, runner: ItemRunner<P>): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const input = itemInputs(context);
	const continueOnFail = context.continueOnFail();
	const breathe = breather();
	const count = runner.onlyFirstItem ? Math.min(1, items.length) : items.length;
	const results: Array<Promise<ItemResult>> = new Array(count);
	let stopping = false;
	const halted = () => stopping;
	const firsts = outcomesOf(context, runner as ItemRunner<unknown>);
	/** `runner.send`, unless n8n's Retry On Fail reran the node and this item reached Bird (or may have) on an earlier try. */
	const send = (prepared: P, itemIndex: number): Promise<ItemResult> => {
		const first = firsts?.get(itemIndex);
		if (first) return 'sent' in first ? Promise.resolve(first.sent) : Promise.reject(notSentAgain(context, itemIndex, first.uncertain));
		const sending = runner.send(prepared, itemIndex, halted);
		if (firsts) {
			sending.then(
				(result) => firsts.set(itemIndex, { sent: result }),
				(error: unknown) => {
					if (isUncertain(error)) firsts.set(itemIndex, { uncertain: (error as Error).message });
				},
			);
		}
		return sending;
	};
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
		for (let itemIndex = 0; itemIndex < count; itemIndex++) {
			try {
				hand(send(await prepare(itemIndex), itemIndex), itemIndex);
			} catch (error) {
				hand(Promise.reject(error), itemIndex);
			}
			await breathe();
		}
	} else {
		// Every item is read and checked before the first one is sent.
		const prepared: P[] = [];
		for (let itemIndex = 0; itemIndex < count; itemIndex++) {
			prepared.push(await prepare(itemIndex));
			await breathe();
		}
		for (let itemIndex = 0; itemIndex < count && !stopping; itemIndex++) {
			hand(send(prepared[itemIndex], itemIndex), itemIndex);
			await breathe();
		}
	}
	await runner.flush?.();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
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
			error.description = panelText(plainText(error.description ?? ''), stopSummary(itemIndex, count, done, count - done - failures.length));
			throw error;
		}
	}

	const errorOutput = context.getNode().onError === 'continueErrorOutput';
	const outputs: INodeExecutionData[][] = Array.from({ length: runner.outputs ?? 1 }, () => []);
	settled.forEach((outcome, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (outcome.status === 'fulfilled') {
			const { json, output = 0, binary, each } = outcome.value;
			if (each) for (const entry of each) outputs[output].push({ json: entry, pairedItem });
			else outputs[output].push(binary ? { json, binary, pairedItem } : { json, pairedItem });
			return;
		}
		const error = asNodeError(context, outcome.reason, itemIndex);
		outputs[0].push({ json: errorOutput ? { error: error.message } : { ...items[itemIndex].json, error: error.message, errorDetails: errorDetails(error) }, pairedItem });
	});
	return outputs;
}
