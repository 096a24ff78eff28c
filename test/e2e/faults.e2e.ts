/**
 * The fault matrix in a real n8n: a workflow sends a batch of 5 through Send Message (with
 * "On Error: Continue") while the sandbox misbehaves in each fault mode. Asserts each item's
 * outcome in n8n's output, what Bird accepted (never a message twice), and that the access key
 * is in no output and no line of n8n's debug log.
 */
import type { IDataObject } from 'n8n-workflow';

import { executeWorkflow } from '../../scripts/n8n';
import type { Fault } from '../../scripts/sandbox/server';
import { SANDBOX } from '../../scripts/sandbox/server';
import { CREDENTIAL, outputOf, succeeded, useN8nWithSandbox } from './n8n-with-sandbox';

/**
 * A batch workflow: a Code node makes the items, Send Message sends them and continues on errors
 * (or, with `node`, as that node's settings say: Retry On Fail, On Error, batch mode).
 */
function batchWorkflow(id: string, channel: string, customers: Array<{ phone: string; text: string }>, node: IDataObject = {}, parameters: IDataObject = {}) {
	return {
		id,
		name: `Fault batch (${id})`,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Start: { main: [[{ node: 'Batch', type: 'main', index: 0 }]] }, Batch: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
		nodes: [
			{ id: 'f1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'f2',
				name: 'Batch',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: { jsCode: `return ${JSON.stringify(customers.map((json) => ({ json })))};` },
			},
			{
				id: 'f3',
				name: 'Send',
				type: 'n8n-nodes-bird.birdSendMessage',
				typeVersion: 1,
				position: [400, 0],
				onError: 'continueRegularOutput',
				credentials: { birdChannelsApi: CREDENTIAL },
				parameters: {
					channelId: { __rl: true, mode: 'id', value: channel },
					identifierValue: '={{ $json.phone }}',
					messageType: 'text',
					text: '={{ $json.text }}',
					delivery: { maxRetries: 2, retryDelay: 50, timeout: 500 },
					...parameters,
				},
				...node,
			},
		],
	};
}

const BATCH = Array.from({ length: 5 }, (_, index) => ({ phone: `+3161000000${index}`, text: `Batch message ${index}` }));
const WINDOW_BATCH = [
	{ phone: SANDBOX.openContact.phone, text: 'To Jane 1' },
	{ phone: SANDBOX.closedContact.phone, text: 'To Joe' },
	{ phone: SANDBOX.openContact.phone, text: 'To Jane 2' },
];

/** n8n's Retry On Fail ticked, On Error › Stop (n8n's defaults otherwise): n8n runs the node again while it throws. */
const RETRY_ON_FAIL = { retryOnFail: true, maxTries: 3, waitBetweenTries: 100, onError: 'stopWorkflow' };

const setup = useN8nWithSandbox(() => [
	batchWorkflow('birdFaultBatchSms', SANDBOX.channels.sms, BATCH),
	batchWorkflow('birdFaultBatchWa1', SANDBOX.channels.whatsapp, WINDOW_BATCH),
	batchWorkflow('birdRetryOnFail1', SANDBOX.channels.whatsapp, WINDOW_BATCH, RETRY_ON_FAIL),
	batchWorkflow('birdRetryOnFail2', SANDBOX.channels.whatsapp, WINDOW_BATCH, RETRY_ON_FAIL, { sendMode: 'batch' }),
	batchWorkflow('birdFaultInBatches', SANDBOX.channels.sms, BATCH, {}, { sendMode: 'batch' }),
]);

/** Everything n8n printed in these runs, to search for the key at the end. */
const printed: string[] = [];

async function runBatch(workflow: string, fault?: Fault, settleMs = 0) {
	if (fault) setup.sandbox.faults.push(fault);
	const result = await executeWorkflow(setup.n8n, workflow, { N8N_LOG_LEVEL: 'debug' });
	printed.push(result.output);
	succeeded(result);
	if (settleMs) await new Promise((resolve) => setTimeout(resolve, settleMs));
	const items = outputOf(result, 'Send');
	const accepted = setup.sandbox.messages.map((message) => String(((message.body as IDataObject).text as IDataObject).text));
	// Each input item: exactly one output item, in input order; Bird never accepted one twice.
	expect(items).toHaveLength(workflow === 'birdFaultBatchWa1' ? WINDOW_BATCH.length : BATCH.length);
	expect(new Set(accepted).size).toBe(accepted.length);
	return { items, accepted, requests: setup.sandbox.log.length };
}

const sorted = (values: string[]) => [...values].sort();
const allTexts = BATCH.map((customer) => customer.text);

test.each([
	['429 with Retry-After', { mode: '429', count: 3, retryAfter: 0 }],
	['429 without Retry-After', { mode: '429', count: 3 }],
	['500', { mode: '500', count: 3 }],
	['503', { mode: '503', count: 3 }],
] as Array<[string, Fault]>)('%s on 3 requests: retried, 5 of 5 delivered once', async (_name, fault) => {
	const { items, accepted, requests } = await runBatch('birdFaultBatchSms', fault);
	expect(items.every((item) => typeof item.id === 'string' && item.error === undefined)).toBe(true);
	expect(sorted(accepted)).toEqual(sorted(allTexts));
	expect(requests).toBe(8);
});

test('503 on every request: after 3 attempts each item is an error item; nothing accepted', async () => {
	const { items, accepted, requests } = await runBatch('birdFaultBatchSms', { mode: '503', count: 100 });
	expect(items.map((item) => item.error)).toEqual(Array(5).fill('Sandbox fault 503'));
	expect(accepted).toEqual([]);
	expect(requests).toBe(15);
});

test('a slow answer past the 500 ms timeout: one error item, not resent; Bird accepted all 5 once', async () => {
	const { items, accepted } = await runBatch('birdFaultBatchSms', { mode: 'slow', count: 1, delayMs: 1500 }, 1500);
	const errors = items.filter((item) => item.error);
	expect(errors).toHaveLength(1);
	expect(errors[0].error).toMatch(/^Bird did not answer within 500 ms/);
	expect(sorted(accepted)).toEqual(sorted(allTexts));
});

test('a connection reset: one error item, not resent; the other 4 delivered', async () => {
	const { items, accepted, requests } = await runBatch('birdFaultBatchSms', { mode: 'reset', count: 1 });
	expect(items.filter((item) => item.error).map((item) => item.error)).toEqual([
		'The connection to Bird broke before it answered (ECONNRESET); the message was not sent again',
	]);
	expect(accepted).toHaveLength(4);
	expect(requests).toBe(5);
});

test('a malformed answer: the message counts as sent (not resent), its raw answer kept', async () => {
	const { items, accepted, requests } = await runBatch('birdFaultBatchSms', { mode: 'malformed', count: 1 });
	expect(items.filter((item) => item.statusCode === 202 && typeof item.responseText === 'string')).toHaveLength(1);
	expect(items.filter((item) => item.error)).toHaveLength(0);
	expect(sorted(accepted)).toEqual(sorted(allTexts));
	expect(requests).toBe(5);
});

test('a gateway page echoing the request headers: error items without the access key', async () => {
	const { items } = await runBatch('birdFaultBatchSms', { mode: 'echo', count: 100 });
	for (const item of items) expect(String(item.error)).toContain('authorization: AccessKey ***');
});

test("a 422 with details for one item: not retried; Bird's message on that item, the others delivered", async () => {
	const { items, accepted, requests } = await runBatch('birdFaultBatchWa1');
	expect(items.map((item) => (item.error ? 'error' : 'sent'))).toEqual(['sent', 'error', 'sent']);
	expect(String(items[1].error)).toMatch(/service window/i);
	expect(accepted).toEqual(['To Jane 1', 'To Jane 2']);
	expect(requests).toBe(3);
});

test.each([
	['502', 'gateway502'],
	['504', 'gateway504'],
] as Array<[string, Fault['mode']]>)("a gateway's %s without Bird's body after Bird processed the message: not retried, one error item \"may have arrived\", 5 of 5 delivered once", async (status, mode) => {
	const { items, accepted, requests } = await runBatch('birdFaultBatchSms', { mode, count: 1 });
	const errors = items.filter((item) => item.error);
	expect(errors.map((item) => String(item.error))).toEqual([expect.stringMatching(new RegExp(`^Bird answered ${status}: .*; the message was not sent again$`))]);
	expect(sorted(accepted)).toEqual(sorted(allTexts));
	expect(requests).toBe(5);
});

test("batch mode, a gateway's 504 on the batch: not sent again, each item \"may have arrived\"; Bird has each message once", async () => {
	const { items, accepted, requests } = await runBatch('birdFaultInBatches', { mode: 'gateway504', count: 1 });
	expect(items.every((item) => /; the message was not sent again$/.test(String(item.error)))).toBe(true);
	expect(sorted(accepted)).toEqual(sorted(allTexts));
	expect(requests).toBe(1);
});

describe("n8n's Retry On Fail on the node (saved in the workflow), On Error › Stop", () => {
	test.each([
		['one request per message', 'birdRetryOnFail1', 2 + 3],
		['batch mode', 'birdRetryOnFail2', 3],
	])('%s: Joe is refused on each of the 3 tries; the messages to Jane went out once', async (_mode, workflow, posts) => {
		const result = await executeWorkflow(setup.n8n, workflow, { N8N_LOG_LEVEL: 'debug' });
		printed.push(result.output);
		expect(result.status).toBe(1);
		const accepted = setup.sandbox.messages.filter((message) => message.direction === 'outgoing' && message.status !== 'rejected').map((message) => String(((message.body as IDataObject).text as IDataObject).text));
		expect(accepted).toEqual(['To Jane 1', 'To Jane 2']);
		// Per message: 2 to Jane once, Joe's 3 tries refused at once (422); in batches: one batch, then Joe alone twice.
		expect(setup.sandbox.log.filter((entry) => entry.method === 'POST')).toHaveLength(posts);
	});
});

test("the access key is in no output and no line of n8n's debug log of these runs", () => {
	expect(printed).toHaveLength(15);
	const all = printed.join('\n');
	expect(all).toContain('Sandbox fault 503');
	expect(all).not.toContain(SANDBOX.accessKey);
});
