/**
 * The execute side of Send and Wait for a Response: one question, for the first input item (as
 * n8n's own send-and-wait nodes send one message per execution), read and sent through the
 * executor and the transport like any message; then the execution waits in n8n's database until
 * the node's waiting webhook is called (webhook.ts) or Limit Wait Time passes.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runItems } from '../executor';
import type { ItemRequest } from '../send';
import { oneRequestEach } from '../send';
import type { DeliverySettings } from '../transport/request';
import type { ItemInput } from '../validation';
import type { Question, ResumeUrls } from './question';
import { MAX_RESUME_URL, questionContent, readQuestion, routeFor } from './question';

/** How a node sends its question: where to (read from the item) and the request for given content. */
export interface QuestionSender<T> {
	/** Reads and checks where the question goes (channel and recipient, or conversation); sends nothing. */
	prepare(input: ItemInput): T | Promise<T>;
	/** The platform ID of the channel the question goes through (`whatsapp`, `sms-messagebird`…). */
	platform(target: T, itemIndex: number, halted: () => boolean): Promise<string>;
	/** The request that sends `content` (a message body and its reference) to the target. */
	request(target: T, content: { body: IDataObject; reference: string }, itemIndex: number, halted: () => boolean): Promise<ItemRequest>;
}

/** n8n's signed URLs that resume this execution at this node: approve (Free Text's too) and disapprove. */
function resumeUrls(context: IExecuteFunctions, question: Question): ResumeUrls {
	// n8n 1.x checks these signatures only when asked to; 2.x always does and no longer has the call.
	(context as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
	const approve = context.getSignedResumeUrl({ approved: 'true' });
	const disapprove = question.disapproveLabel ? context.getSignedResumeUrl({ approved: 'false' }) : undefined;
	return { approve, disapprove };
}

/**
 * What n8n passes on when Limit Wait Time ends the wait: the node's input, unchanged, without
 * calling the node. The node's own entry in n8n's execution stack gets new items instead (never
 * the earlier node's items themselves), so the output says it timed out; an answer replaces them.
 */
function markTimeout(context: IExecuteFunctions, question: Question): void {
	const entry = context.getExecuteData();
	const items = context.getInputData();
	const data: IDataObject = question.responseType === 'approval' ? { approved: false, timedOut: true } : { text: null, timedOut: true };
	entry.data = { ...entry.data, main: [items.map((_item, item) => ({ json: { data: { ...data } }, pairedItem: { item } }))] };
}

export async function sendAndWait<T>(context: IExecuteFunctions, sender: QuestionSender<T>, settings: DeliverySettings): Promise<INodeExecutionData[][]> {
	const send = oneRequestEach(context, settings);
	let waitTill: Date | undefined;
	let asked: Question | undefined;
	const outputs = await runItems(context, {
		onlyFirstItem: true,
		prepare: async (input) => ({ target: await sender.prepare(input), question: readQuestion(input) }),
		send: async ({ target, question }, itemIndex, halted) => {
			const platform = await sender.platform(target, itemIndex, halted);
			const route = routeFor(question, platform);
			const urls = resumeUrls(context, question);
			if (urls.approve.length > MAX_RESUME_URL) {
				throw new Error(
					`This n8n's waiting-webhook URL has ${urls.approve.length} characters; a button and a message reference take at most ${MAX_RESUME_URL}. Use a shorter WEBHOOK_URL.`,
				);
			}
			const result = await send(await sender.request(target, questionContent(question, route, platform, urls), itemIndex, halted), itemIndex, halted);
			waitTill = question.waitTill;
			asked = question;
			return { json: { ...result.json, answerIn: route, waitingUntil: waitTill.getUTCFullYear() >= 3000 ? null : waitTill.toISOString() } };
		},
	});
	// Not sent (On Error › Continue): nothing to wait for; the error item goes on as usual.
	if (!waitTill || !asked) return outputs;
	markTimeout(context, asked);
	await context.putExecutionToWait(waitTill);
	return [context.getInputData()];
}
