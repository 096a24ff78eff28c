/**
 * The executor behind every node, in each of n8n's On Error modes: one result per input item, in
 * order, with pairedItem; error items keep the input item's fields beside `error`; in Stop mode
 * bad input anywhere stops the node before anything is sent, and the first item Bird refuses
 * stops the rest and is named.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { RecordedRequest } from '../helpers/bird-server';
import { useBirdServer } from '../helpers/bird-server';
import type { OnError } from '../helpers/n8n';
import { ACCESS_KEY, CHANNEL_ID, credentialsFor, runNode } from '../helpers/n8n';

const CONVERSATION_ID = 'aaf0ceff-de0d-4a63-b624-ae9bf0354912';
const SENDER_ID = 'e0b759f7-c366-4223-87a5-d1186ba4644f';

/** Bird refuses any message or search whose text or identifier says "reject me". */
function bird(request: RecordedRequest) {
	if (JSON.stringify(request.body ?? '').includes('reject me')) {
		return { status: 422, body: { code: 'InvalidPayload', message: 'rejected', details: { 'body.text.text': ['no'] } } };
	}
	if (request.path.endsWith('/contacts/search')) return { status: 200, body: { results: [{ id: 'c0000001-0000-4000-8000-000000000001' }] } };
	if (request.path.includes('/contacts/')) return { status: 200, body: { serviceWindowExpireAt: new Date(Date.now() + 3_600_000).toISOString() } };
	return { status: 202, body: { id: `msg-${request.path.length}`, status: 'accepted' } };
}

const server = useBirdServer(bird);
const channel = { __rl: true, mode: 'id', value: CHANNEL_ID };

/** Item 1 has a bad phone number (refused before sending), item 2 is refused by Bird. */
const ITEMS: IDataObject[] = [
	{ n: 0, phone: '+31600000001', text: 'one' },
	{ n: 1, phone: 'nope', text: 'bad phone' },
	{ n: 2, phone: '+31600000003', text: 'reject me' },
	{ n: 3, phone: '+31600000004', text: 'four' },
];

const NODES: Record<string, IDataObject> = {
	birdSendMessage: { channelId: channel, identifierValue: '={{ $json.phone }}', messageType: 'text', text: '={{ $json.text }}' },
	birdCreateConversation: { channelId: channel, identifierValue: '={{ $json.phone }}', messageType: 'text', text: '={{ $json.text }}' },
	birdReply: { conversationId: CONVERSATION_ID, participantId: SENDER_ID, identifierValue: '={{ $json.phone }}', messageType: 'text', text: '={{ $json.text }}' },
};

async function run(type: string, onError: OnError, items = ITEMS, parameters: IDataObject = {}) {
	return await runNode({ type, parameters: { ...NODES[type], ...parameters }, items, credentials: credentialsFor(server.url), onError });
}

/** The input items an output's items came from. */
const numbers = (output: INodeExecutionData[]) => output.map((item) => (item.pairedItem as { item: number }).item);

describe.each(Object.keys(NODES))('%s', (type) => {
	test('Continue (regular output): one item per input in order; error items keep the input beside `error`', async () => {
		const result = await run(type, 'continueRegularOutput');
		expect(result.error).toBeUndefined();
		const [out] = result.outputs;
		expect(numbers(out)).toEqual([0, 1, 2, 3]);
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[1].json).toEqual({
			...ITEMS[1],
			error: expect.stringMatching(/^(Recipients?|Participants): "nope" is not a phone number/),
			errorDetails: { description: expect.stringContaining('A valid value looks like: +31612345678') },
		});
		expect(out[2].json).toEqual({
			...ITEMS[2],
			// Bird's message with the field it named, so that every On Error mode (the error output keeps only `error`) says which field and why.
			error: 'rejected: body.text.text (Text): no',
			errorDetails: { description: expect.stringContaining('body.text.text (Text): no'), httpCode: '422', code: 'InvalidPayload', details: { 'body.text.text': ['no'] } },
		});
		expect(out[0].json.error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
	});

	test('Continue (using error output): successes on the main output, failures on the error output, each paired and with its input', async () => {
		const result = await run(type, 'continueErrorOutput');
		expect(result.error).toBeUndefined();
		const [success, failed] = result.outputs;
		expect(numbers(success)).toEqual([0, 3]);
		expect(success.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
		expect(numbers(failed)).toEqual([1, 2]);
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		// n8n puts the input beside `error` on its error output (a real upstream node is needed for that).
		expect(failed.map((item) => ({ ...item.json, error: typeof item.json.error }))).toEqual([
			{ ...ITEMS[1], error: 'string' },
			{ ...ITEMS[2], error: 'string' },
		]);
		expect(JSON.stringify(result.outputs)).not.toContain(ACCESS_KEY);
	});

	test('Stop: bad input in any item stops the node before anything is sent, naming that item', async () => {
		const items = [ITEMS[0], ITEMS[3], { n: 9, phone: '0612', text: 'late bad one' }];
		const result = await run(type, 'stopWorkflow', items);
		expect(server.requests).toHaveLength(0);
		expect(result.error?.message).toMatch(/"0612" .*\(item 2\)$/);
	});

	test('Stop: the first item Bird refuses stops the items after it; the error names it and counts what was sent', async () => {
		const items = Array.from({ length: 10 }, (_, n) => ({ n, phone: `+3160000000${n}`, text: n === 2 ? 'reject me' : `text ${n}` }));
		const result = await run(type, 'stopWorkflow', items, { delivery: { maxRequestsPerSecond: 4 } });
		expect(result.error?.message).toBe('rejected: body.text.text (Text): no');
		expect(result.error?.description).toContain("Item 2 of 10 failed (items count from 0, as n8n's $itemIndex does). 2 items were done before the node stopped and 7 were not sent.");
		expect(server.requests).toHaveLength(3);
	});
});

describe('Check Service Window', () => {
	test('Continue (using error output): open, closed and error outputs, the error item paired and with its input', async () => {
		const items = [
			{ n: 0, phone: '+31600000001' },
			{ n: 1, phone: 'reject me' },
		];
		const result = await runNode({
			type: 'birdCheckServiceWindow',
			parameters: { channelId: channel, identifierKey: 'custom', customIdentifierKey: 'handle', identifierValue: '={{ $json.phone }}' },
			items,
			credentials: credentialsFor(server.url),
			onError: 'continueErrorOutput',
		});
		const [open, closed, failed] = result.outputs;
		expect(numbers(open)).toEqual([0]);
		expect(closed).toEqual([]);
		expect(failed.map((item) => [item.json.n, item.json.phone, item.json.error, item.pairedItem])).toEqual([[1, 'reject me', expect.stringMatching(/^rejected: /), { item: 1 }]]);
	});
});
