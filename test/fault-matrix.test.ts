/**
 * The fault matrix: a batch of items through Send Message while the Bird sandbox misbehaves in
 * each of its fault modes. For every mode: what became of each item, how many requests Bird
 * saw, and that Bird never accepted the same message twice. At the end, everything a user could
 * see of all these runs is searched for the access key.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Fault } from '../scripts/sandbox/server';
import { SANDBOX } from '../scripts/sandbox/server';
import type { NodeRun } from './helpers/n8n';
import { runNode } from './helpers/n8n';
import { sandboxCredentials, useSandbox } from './helpers/sandbox';

const sandbox = useSandbox();

/** Every run of this file, for the access-key search at the end. */
const runs: NodeRun[] = [];

const DELIVERY = { retryDelay: 20, timeout: 400 };

interface Outcome {
	result: NodeRun;
	/** Per input item: the message ID Bird gave, or the error. */
	items: Array<{ id?: string; error?: string; description?: string; pairedItem: unknown }>;
	/** Texts of the messages Bird accepted, in the order it accepted them. */
	accepted: string[];
	requests: number;
}

async function sendBatch(
	texts: string[],
	opts: { fault?: Fault; delivery?: IDataObject; channel?: string; phones?: string[]; settleMs?: number; batchMode?: boolean; apiKey?: string } = {},
): Promise<Outcome> {
	if (opts.fault) sandbox.faults.push(opts.fault);
	const result = await runNode({
		type: 'birdSendMessage',
		parameters: {
			channelId: { __rl: true, mode: 'id', value: opts.channel ?? SANDBOX.channels.sms },
			identifierValue: '={{ $json.phone }}',
			messageType: 'text',
			text: '={{ $json.text }}',
			delivery: { ...DELIVERY, ...opts.delivery },
			...(opts.batchMode ? { sendMode: 'batch', waitForValidation: false } : {}),
		},
		items: texts.map((text, index) => ({ text, phone: opts.phones?.[index] ?? `+3160000${String(index).padStart(4, '0')}` })),
		credentials: { ...sandboxCredentials(sandbox), ...(opts.apiKey === undefined ? {} : { apiKey: opts.apiKey }) },
		continueOnFail: true,
	});
	runs.push(result);
	// A request Bird is still working on (a slow answer the node stopped waiting for) lands later.
	if (opts.settleMs) await new Promise((resolve) => setTimeout(resolve, opts.settleMs));
	const accepted = sandbox.messages
		.filter((message) => message.direction === 'outgoing')
		.map((message) => String(((message.body as IDataObject).text as IDataObject).text));
	return {
		result,
		items: (result.outputs[0] ?? []).map((item) => ({
			// In batch mode without read-back an accepted item has its batch's ID, not a message ID.
			id: (item.json.id ?? item.json.batchId) as string | undefined,
			error: item.json.error as string | undefined,
			// A continued item's error keeps its description in errorDetails.
			description: (item.json.errorDetails as { description?: string } | undefined)?.description ?? undefined,
			pairedItem: item.pairedItem,
		})),
		accepted,
		requests: sandbox.log.length,
	};
}

const texts = (prefix: string, n = 5) => Array.from({ length: n }, (_, index) => `${prefix} ${index}`);

/** The invariants of every run: one output per input, in order, paired, and nothing accepted twice. */
function expectAccounted(outcome: Outcome, count: number) {
	expect(outcome.result.error).toBeUndefined();
	expect(outcome.items.map((item) => item.pairedItem)).toEqual(Array.from({ length: count }, (_, item) => ({ item })));
	expect(new Set(outcome.accepted).size).toBe(outcome.accepted.length);
	for (const item of outcome.items) expect(Boolean(item.id) !== Boolean(item.error)).toBe(true);
}

describe('fault matrix: a batch of 5 through Send Message', () => {
	test.each([
		['429 with Retry-After', { mode: '429', count: 3, retryAfter: 0 }],
		['429 without Retry-After', { mode: '429', count: 3 }],
		['500', { mode: '500', count: 3 }],
		['503', { mode: '503', count: 3 }],
	] as Array<[string, Fault]>)('%s on 3 requests: retried, all 5 delivered exactly once', async (name, fault) => {
		const batch = texts(name);
		const outcome = await sendBatch(batch, { fault });
		expectAccounted(outcome, 5);
		expect(outcome.items.every((item) => item.id)).toBe(true);
		expect([...outcome.accepted].sort()).toEqual([...batch].sort());
		expect(outcome.requests).toBe(8);
	});

	test('503 on every request: retries run out, each item fails with the attempts counted, nothing accepted', async () => {
		const outcome = await sendBatch(texts('unavailable'), { fault: { mode: '503', count: 100 }, delivery: { maxRetries: 2 } });
		expectAccounted(outcome, 5);
		expect(outcome.accepted).toEqual([]);
		expect(outcome.requests).toBe(15);
		for (const item of outcome.items) {
			expect(item.error).toBe('Sandbox fault 503');
			expect(item.description).toContain('Tried 3 times.');
		}
	});

	test('a slow answer past the timeout: that item fails and is not sent again; Bird accepted it once', async () => {
		const batch = texts('slow');
		const outcome = await sendBatch(batch, { fault: { mode: 'slow', count: 1, delayMs: 1200 }, settleMs: 1000 });
		expectAccounted(outcome, 5);
		const failed = outcome.items.filter((item) => item.error);
		expect(failed).toHaveLength(1);
		expect(failed[0].error).toMatch(/^Bird did not answer within 400 ms \(E\w+\); the message was not sent again$/);
		expect(failed[0].description).toMatch(/may have reached Bird/);
		// The sandbox finished the slow request after the node gave up on it: 5 accepted, none twice.
		expect([...outcome.accepted].sort()).toEqual([...batch].sort());
		expect(outcome.requests).toBe(5);
	});

	test('a connection reset: that item fails and is not sent again; the other 4 are delivered', async () => {
		const outcome = await sendBatch(texts('reset'), { fault: { mode: 'reset', count: 1 } });
		expectAccounted(outcome, 5);
		const failed = outcome.items.filter((item) => item.error);
		expect(failed).toHaveLength(1);
		expect(failed[0].error).toMatch(/^The connection to Bird broke before it answered \(ECONNRESET\); the message was not sent again$/);
		expect(outcome.accepted).toHaveLength(4);
		expect(outcome.requests).toBe(5);
	});

	test('a malformed answer to an accepted message: the item succeeds with the raw answer, and is not sent again', async () => {
		const outcome = await sendBatch(texts('malformed'), { fault: { mode: 'malformed', count: 1 } });
		expect(outcome.result.error).toBeUndefined();
		expect(outcome.accepted).toHaveLength(5);
		expect(new Set(outcome.accepted).size).toBe(5);
		expect(outcome.requests).toBe(5);
		const items = outcome.result.outputs[0].map((item) => item.json);
		const raw = items.filter((json) => json.id === undefined);
		expect(raw).toHaveLength(1);
		expect(raw[0]).toMatchObject({ statusCode: 202 });
		expect(String(raw[0].responseText)).toMatch(/^\{"id":"/);
		// A success all the same (it was sent), but one that says what is unknown and what not to do.
		expect(raw[0].warning).toMatch(/^Bird accepted the request \(HTTP 202\) but its answer could not be read/);
		expect(raw[0].warning).toMatch(/instead of sending it again/);
		expect(raw[0].error).toBeUndefined();
	});

	test("a 422 whose details echo the Authorization header: Bird's details reach the user, the key does not", async () => {
		const outcome = await sendBatch(texts('echo details', 1), { fault: { mode: 'echoDetails', count: 1 } });
		expectAccounted(outcome, 1);
		const [item] = outcome.result.outputs[0].map((output) => output.json);
		const details = (item.errorDetails as IDataObject).details as IDataObject;
		expect(details['headers.authorization']).toEqual(['AccessKey *** is not allowed for this route']);
		expect(details.request).toEqual({ headers: { authorization: 'AccessKey ***' } });
		expect(JSON.stringify(outcome.result.run)).not.toContain(SANDBOX.accessKey);
		expect(outcome.requests).toBe(1);
	});

	test("a 422 with details for one item: not retried, Bird's message and details on that item, the others delivered", async () => {
		// WhatsApp refuses free-form text to Joe, whose service window has closed.
		const outcome = await sendBatch(['to Jane 1', 'to Joe', 'to Jane 2'], {
			channel: SANDBOX.channels.whatsapp,
			phones: [SANDBOX.openContact.phone, SANDBOX.closedContact.phone, SANDBOX.openContact.phone],
		});
		expectAccounted(outcome, 3);
		expect(outcome.items.map((item) => Boolean(item.id))).toEqual([true, false, true]);
		expect(outcome.items[1].error).toMatch(/service window/i);
		expect(outcome.items[1].description).toContain('Bird error code: ServiceWindowClosed');
		expect(outcome.items[1].description).toMatch(/^body \(the message \(Message Type and its fields\)\): /m);
		// Bird's refusal says the window closed: the error points at smart send, as Fail the Item's does.
		expect(outcome.items[1].description).toContain('Set If Service Window Is Closed to Send a Template Instead');
		expect(outcome.accepted).toEqual(['to Jane 1', 'to Jane 2']);
		expect(outcome.requests).toBe(3);
	});

	test('a gateway error page that echoes the request headers: shown to the user without the access key', async () => {
		const outcome = await sendBatch(texts('echo', 2), { fault: { mode: 'echo', count: 4 }, delivery: { maxRetries: 1 } });
		expectAccounted(outcome, 2);
		for (const item of outcome.items) {
			expect(item.error).toMatch(/^Bird answered 502: Bad gateway\. Your request:/);
			expect(item.error).toContain('authorization: AccessKey ***');
		}
		// A 502 that is not Bird's own answer may follow a processed message: not retried (it was 4 requests, one retry each, before #18).
		expect(outcome.requests).toBe(2);
	});

	test.each([
		['gateway 502', 'gateway502'],
		['gateway 504', 'gateway504'],
	] as Array<[string, Fault['mode']]>)("%s without Bird's body (Bird had processed the message): not retried, that item fails with \"may have arrived\", Bird has each message once", async (name, mode) => {
		const batch = texts(name);
		const outcome = await sendBatch(batch, { fault: { mode, count: 1 } });
		expectAccounted(outcome, 5);
		const failed = outcome.items.filter((item) => item.error);
		expect(failed).toHaveLength(1);
		expect(failed[0].error).toMatch(new RegExp(`^Bird answered ${mode.slice(-3)}: <html>.*; the message was not sent again$`));
		expect(failed[0].description).toMatch(/did not come from Bird itself.*may have reached Bird/);
		expect([...outcome.accepted].sort()).toEqual([...batch].sort());
		expect(outcome.requests).toBe(5);
	});

	test.each([
		['gateway 502', 'gateway502'],
		['gateway 504', 'gateway504'],
	] as Array<[string, Fault['mode']]>)("batch mode, %s without Bird's body: the batch is not sent again; each of its items fails with \"may have arrived\"", async (name, mode) => {
		const batch = texts(`batch ${name}`);
		const outcome = await sendBatch(batch, { fault: { mode, count: 1 }, batchMode: true });
		expectAccounted(outcome, 5);
		expect(outcome.items.every((item) => /; the message was not sent again$/.test(item.error ?? ''))).toBe(true);
		expect([...outcome.accepted].sort()).toEqual([...batch].sort());
		expect(outcome.requests).toBe(1);
	});

	test.each([
		['500', '500'],
		['503', '503'],
	] as Array<[string, Fault['mode']]>)("batch mode, %s with Bird's own error body (not processed): the batch is retried, every message delivered once", async (name, mode) => {
		const batch = texts(`batch ${name}`);
		const outcome = await sendBatch(batch, { fault: { mode, count: 2 }, batchMode: true });
		expectAccounted(outcome, 5);
		expect(outcome.items.every((item) => item.error === undefined)).toBe(true);
		expect([...outcome.accepted].sort()).toEqual([...batch].sort());
		expect(outcome.requests).toBe(3);
	});

	test.each([
		['spaces and a newline', ` ${SANDBOX.accessKey} \n`],
		['a tab', `\t${SANDBOX.accessKey}`],
	])('a key saved with %s around it: sent trimmed, and redacted in every form Bird or a proxy echoes it', async (_name, apiKey) => {
		for (const mode of ['echoDetails', 'echo'] as const) {
			const outcome = await sendBatch(texts(`padded ${mode}`, 1), { fault: { mode, count: 1 }, apiKey, delivery: { maxRetries: 0 } });
			expectAccounted(outcome, 1);
			const text = everything({ outputs: outcome.result.outputs, error: outcome.result.error, data: outcome.result.run.data });
			expect(text).toContain('AccessKey ***');
			expect(text).not.toContain(SANDBOX.accessKey);
		}
	});

	test("Bird's rate limit (20 POST/s here): the 429s are retried after Retry-After, 60 delivered exactly once", async () => {
		sandbox.rateLimit = { enabled: true, post: 20, get: 50 };
		const batch = texts('limited', 60);
		const outcome = await sendBatch(batch, { delivery: { maxRetries: 10 } });
		expectAccounted(outcome, 60);
		expect(outcome.items.every((item) => item.id)).toBe(true);
		expect([...outcome.accepted].sort()).toEqual([...batch].sort());
		expect(outcome.requests).toBeGreaterThan(60);
	}, 30_000);
});

/** Serialises anything, errors included (with their stack and own properties), skipping cycles. */
function everything(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, current: unknown) => {
		if (current && typeof current === 'object') {
			if (seen.has(current)) return undefined;
			seen.add(current);
			if (current instanceof Error) {
				return { ...current, name: current.name, message: current.message, stack: current.stack, cause: (current as { cause?: unknown }).cause };
			}
		}
		return current;
	});
}

test('the access key appears in no output, error, description or stack of the whole matrix', () => {
	expect(runs.length).toBeGreaterThanOrEqual(10);
	const text = everything(runs.map((run) => ({ outputs: run.outputs, error: run.error, data: run.run.data })));
	expect(text).toContain('Sandbox fault 503');
	expect(text).toContain('ServiceWindowClosed');
	expect(text).not.toContain(SANDBOX.accessKey);
});
